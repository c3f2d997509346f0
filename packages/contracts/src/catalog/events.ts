import Type from 'typebox'
import { defineEvent } from '../events.js'
import { Money } from '../money.js'

/** What other services keep of a product (the cart's price copy, the orders' lines). */
export const ProductSnapshot = Type.Object({
  /** The product's id. */
  productId: Type.String({ minLength: 1, description: "The product's id." }),
  /** Its SKU. */
  sku: Type.String({ description: 'Its SKU.' }),
  /** Its display name. */
  name: Type.String({ description: 'Its display name.' }),
  /** Its current unit price. */
  price: Money,
  /** Its category's id. */
  categoryId: Type.String({ description: "Its category's id." }),
  /** Its image address. */
  imageUrl: Type.String({ description: 'Its image address.' }),
})
export type ProductSnapshot = Type.Static<typeof ProductSnapshot>

/** A product was created. Published by the catalog only. */
export const ProductCreated = defineEvent('product.created', 1, ProductSnapshot)

/** A product changed (price changes included); carries the whole new snapshot. */
export const ProductUpdated = defineEvent(
  'product.updated',
  1,
  Type.Object({
    ...ProductSnapshot.properties,
    /** The price before this change, when the price changed. */
    previousPrice: Type.Optional(Money),
  }),
)

/** A product left the catalog (soft-deleted): it can no longer be added to carts. */
export const ProductDeleted = defineEvent(
  'product.deleted',
  1,
  Type.Object({
    /** The product's id. */
    productId: Type.String({ minLength: 1, description: "The product's id." }),
  }),
)
