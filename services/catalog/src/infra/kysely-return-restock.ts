import { sql, type Transaction } from 'kysely'
import { catalog as events } from '@emporium/contracts'
import type { Outbox } from '@emporium/platform'
import type { ReturnRestock } from '../app/restock-return.js'

/** A returned parcel's units back in stock, in the consumer's transaction (issue 19). */
export function returnRestockIn(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the inbox's transaction, any tables
  trx: Transaction<any>,
  outbox: Pick<Outbox, 'add'>,
): ReturnRestock {
  return {
    async restock(orderId, lines) {
      let changed = 0
      for (const line of lines) {
        const result = await sql`
          update stock set on_hand = on_hand + ${line.quantity}
          where variant_id = ${line.variantId}`.execute(trx)
        changed += Number(result.numAffectedRows ?? 0)
      }
      if (changed > 0) {
        await outbox.add(trx, events.StockRestocked, {
          orderId,
          lines: lines.map((l) => ({
            productId: l.productId,
            ...(l.variantId !== l.productId ? { variantId: l.variantId } : {}),
            quantity: l.quantity,
          })),
        })
      }
      return changed
    },
  }
}
