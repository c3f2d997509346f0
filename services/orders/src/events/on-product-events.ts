import type { catalog } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform'
import type { CatalogPriceWriter, EventData } from '../app/ports.js'

/** What the product consumers need: the price copy's writer in the inbox's transaction. */
export interface ProductHandlerDeps {
  pricesIn(trx: HandlerContext['trx']): CatalogPriceWriter
}

/** `product.created` / `product.updated`: the copy of its name and price follows (newest wins). */
export const onProductChanged =
  (deps: ProductHandlerDeps) =>
  (
    data: EventData<typeof catalog.ProductCreated> | EventData<typeof catalog.ProductUpdated>,
    { trx, envelope }: HandlerContext,
  ) =>
    deps.pricesIn(trx).upsert(data, new Date(envelope.occurredAt))

/** `product.deleted`: no longer orderable (a placement of it is a 409, as the catalog's 404 was). */
export const onProductDeleted =
  (deps: ProductHandlerDeps) =>
  (data: EventData<typeof catalog.ProductDeleted>, { trx, envelope }: HandlerContext) =>
    deps.pricesIn(trx).remove(data.productId, new Date(envelope.occurredAt))
