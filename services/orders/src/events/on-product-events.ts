import { catalog } from '@emporium/contracts'
import { handler, type HandlerContext } from '@emporium/platform'
import type { CatalogPriceWriter } from '../app/ports.js'

/** What the product consumers need: the price copy's writer in the inbox's transaction. */
export interface ProductHandlerDeps {
  pricesIn: (trx: HandlerContext['trx']) => CatalogPriceWriter
}

/** `product.created`: the copy of its name and price starts (newest wins). */
export const onProductCreated = (deps: ProductHandlerDeps) =>
  handler(catalog.ProductCreated, {
    adapters: deps.pricesIn,
    handle: (data, prices, { envelope }) => prices.upsert(data, new Date(envelope.occurredAt)),
  })

/** `product.updated`: the copy of its name and price follows (newest wins). */
export const onProductUpdated = (deps: ProductHandlerDeps) =>
  handler(catalog.ProductUpdated, {
    adapters: deps.pricesIn,
    handle: (data, prices, { envelope }) => prices.upsert(data, new Date(envelope.occurredAt)),
  })

/** `product.deleted`: no longer orderable (a placement of it is a 409, as the catalog's 404 was). */
export const onProductDeleted = (deps: ProductHandlerDeps) =>
  handler(catalog.ProductDeleted, {
    adapters: deps.pricesIn,
    handle: (data, prices, { envelope }) =>
      prices.remove(data.productId, new Date(envelope.occurredAt)),
  })
