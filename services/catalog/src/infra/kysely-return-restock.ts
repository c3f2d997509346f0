import { sql, type Transaction } from 'kysely'
import type { ReturnRestock } from '../app/restock-return.js'

/** A returned parcel's units back in stock, in the consumer's transaction (issue 19). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the inbox's transaction, any tables
export function returnRestockIn(trx: Transaction<any>): ReturnRestock {
  return {
    async restock(lines) {
      let changed = 0
      for (const line of lines) {
        const result = await sql`
          update stock set on_hand = on_hand + ${line.quantity}
          where variant_id = ${line.variantId}`.execute(trx)
        changed += Number(result.numAffectedRows ?? 0)
      }
      return changed
    },
  }
}
