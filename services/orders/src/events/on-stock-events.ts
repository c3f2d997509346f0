import type { catalog } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform'
import type { EventData, OrderTx } from '../app/ports.js'
import type { SagaSteps } from '../app/saga-steps.js'

/** What the consumers need: the saga's steps and the orders of the inbox's transaction. */
export interface SagaHandlerDeps {
  steps: SagaSteps
  ordersIn(trx: HandlerContext['trx']): OrderTx
}

/** `stock.reserved`: the order now waits for payment. */
export const onStockReserved =
  (deps: SagaHandlerDeps) =>
  (data: EventData<typeof catalog.StockReserved>, { trx }: HandlerContext) =>
    deps.steps.stockReserved(deps.ordersIn(trx), data)

/** `stock.rejected`: cancelled, out of stock. */
export const onStockRejected =
  (deps: SagaHandlerDeps) =>
  (data: EventData<typeof catalog.StockRejected>, { trx }: HandlerContext) =>
    deps.steps.stockRejected(deps.ordersIn(trx), data)

/** `stock.released`: an expired hold cancels an order still waiting. */
export const onStockReleased =
  (deps: SagaHandlerDeps) =>
  (data: EventData<typeof catalog.StockReleased>, { trx }: HandlerContext) =>
    deps.steps.stockReleased(deps.ordersIn(trx), data)
