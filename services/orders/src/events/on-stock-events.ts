import { catalog } from '@emporium/contracts'
import { handler, type HandlerContext } from '@emporium/platform'
import type { OrderTx } from '../app/ports.js'
import type { SagaSteps } from '../app/saga-steps.js'

/** What the saga's consumers need: its steps and the orders of the inbox's transaction. */
export interface SagaHandlerDeps {
  steps: SagaSteps
  ordersIn: (trx: HandlerContext['trx']) => OrderTx
}

/** `stock.reserved`: the order now waits for payment. */
export const onStockReserved = (deps: SagaHandlerDeps) =>
  handler(catalog.StockReserved, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.steps.stockReserved(orders, data),
  })

/** `stock.rejected`: cancelled, out of stock. */
export const onStockRejected = (deps: SagaHandlerDeps) =>
  handler(catalog.StockRejected, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.steps.stockRejected(orders, data),
  })

/** `stock.released`: an expired hold cancels an order still waiting. */
export const onStockReleased = (deps: SagaHandlerDeps) =>
  handler(catalog.StockReleased, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.steps.stockReleased(orders, data),
  })
