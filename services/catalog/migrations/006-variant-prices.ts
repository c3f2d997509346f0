import { sql, type Kysely } from 'kysely'

/**
 * Each product's variant prices as a multirange beside its cheapest and dearest (issue 17), kept
 * in the same transaction as they: whether one of its variants is priced in a range is then
 * `variant_prices && int8range(min, max, '[]')` on the product's row, which a list's price range
 * asks of its products with variants at several prices, instead of a look at their variants for
 * each (a subquery to plan and run at every request). PostgreSQL 14 and later, PGlite alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table products add column variant_prices int8multirange not null
    default '{}'::int8multirange`.execute(db)
  await sql`
    update products p set variant_prices = v.prices
    from (select product_id, range_agg(int8range(price_amount, price_amount, '[]')) as prices
          from variants group by product_id) v
    where v.product_id = p.id`.execute(db)
}
