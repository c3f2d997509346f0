import { sql, type Kysely } from 'kysely'
import type { PriceCopy, PriceCopyWriter } from '../app/ports.js'
import type { PriceEntry } from '../domain/pricing.js'
import type { CartTables } from './tables.js'

/** Reads the price copy (outside any transaction), by variant id. */
export function createSqlPriceCopy(db: Kysely<CartTables>): PriceCopy {
  return {
    async lookup(keys) {
      const entries = new Map<string, PriceEntry>()
      if (keys.length === 0) return entries
      const rows = await db
        .selectFrom('product_prices')
        .selectAll()
        .where('variant_id', 'in', keys)
        .execute()
      for (const row of rows) {
        entries.set(row.variant_id, {
          productId: row.product_id,
          variantId: row.variant_id,
          ...(row.label !== null ? { label: row.label } : {}),
          name: row.name,
          price:
            row.amount === null || row.currency === null
              ? null
              : { amount: Number(row.amount), currency: row.currency },
          deleted: row.deleted,
          asOf: new Date(row.as_of as Date).toISOString(),
        })
      }
      return entries
    },
  }
}

/**
 * Writes the price copy within a transaction (the consumer's, with its inbox row). A change
 * applies only over an older one: a redelivered or late event changes nothing, so the copy ends
 * the same whatever the order and repetitions of delivery. A deletion keeps the last name/price,
 * marks every variant's row of the product and the product's own (its first variant's, which a
 * line of a variant the copy never saw is priced by).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a consumer's transaction, whose tables the platform does not type
export function createSqlPriceCopyWriter(db: Kysely<any>): PriceCopyWriter {
  return {
    async apply(change) {
      const asOf = new Date(change.asOf)
      if (change.kind === 'deleted') {
        await sql`
          update product_prices set deleted = true, as_of = ${asOf}
          where product_id = ${change.productId} and as_of < ${asOf}`.execute(db)
        await sql`
          insert into product_prices (variant_id, product_id, name, amount, currency, deleted, as_of)
          values (${change.productId}, ${change.productId}, '', null, null, true, ${asOf})
          on conflict (variant_id) do nothing`.execute(db)
        return
      }
      for (const variant of change.variants) {
        await sql`
          insert into product_prices (variant_id, product_id, label, name, amount, currency,
                                      deleted, as_of)
          values (${variant.variantId}, ${change.productId}, ${variant.label ?? null},
                  ${change.name}, ${variant.price.amount}, ${variant.price.currency}, false, ${asOf})
          on conflict (variant_id) do update set name = excluded.name, label = excluded.label,
            amount = excluded.amount, currency = excluded.currency, deleted = false,
            as_of = excluded.as_of
          where product_prices.as_of < excluded.as_of`.execute(db)
      }
    },
  }
}
