import { sql, type Kysely } from 'kysely'
import type { PriceCopy, PriceCopyWriter } from '../app/ports.js'
import type { PriceEntry } from '../domain/pricing.js'
import type { CartTables } from './tables.js'

/** Reads the price copy (outside any transaction). */
export function createSqlPriceCopy(db: Kysely<CartTables>): PriceCopy {
  return {
    async lookup(productIds) {
      const entries = new Map<string, PriceEntry>()
      if (productIds.length === 0) return entries
      const rows = await db
        .selectFrom('product_prices')
        .selectAll()
        .where('product_id', 'in', productIds)
        .execute()
      for (const row of rows) {
        entries.set(row.product_id, {
          productId: row.product_id,
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
 * the same whatever the order and repetitions of delivery. A deletion keeps the last name/price.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a consumer's transaction, whose tables the platform does not type
export function createSqlPriceCopyWriter(db: Kysely<any>): PriceCopyWriter {
  return {
    async apply(change) {
      const asOf = new Date(change.asOf)
      if (change.kind === 'deleted') {
        await sql`
          insert into product_prices (product_id, name, amount, currency, deleted, as_of)
          values (${change.productId}, '', null, null, true, ${asOf})
          on conflict (product_id) do update set deleted = true, as_of = excluded.as_of
          where product_prices.as_of < excluded.as_of`.execute(db)
        return
      }
      await sql`
        insert into product_prices (product_id, name, amount, currency, deleted, as_of)
        values (${change.productId}, ${change.name}, ${change.price?.amount ?? null},
                ${change.price?.currency ?? null}, false, ${asOf})
        on conflict (product_id) do update set name = excluded.name, amount = excluded.amount,
          currency = excluded.currency, deleted = false, as_of = excluded.as_of
        where product_prices.as_of < excluded.as_of`.execute(db)
    },
  }
}
