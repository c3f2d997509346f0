import { orders } from '@emporium/contracts'
import { handler, type Logger } from '@emporium/platform'
import { restockLines, type ReturnRestockIn } from '../app/restock-return.js'

/**
 * `return.received` (issue 19): the units staff marked `restock` go back to their variant's
 * on-hand stock, once (the inbox keeps the event's id with the change).
 */
export function onReturnReceived(deps: { restockIn: ReturnRestockIn; log: Logger }) {
  return handler(orders.ReturnReceived, {
    adapters: deps.restockIn,
    async handle(data, stock) {
      const lines = restockLines(data.lines)
      if (lines.length === 0) return
      const changed = await stock.restock(data.orderId, lines)
      deps.log.info(
        { orderId: data.orderId, returnId: data.returnId, lines: lines.length, changed },
        'returned units restocked',
      )
    },
  })
}
