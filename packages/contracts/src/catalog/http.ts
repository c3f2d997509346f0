import Type from 'typebox'
import { Money } from '../money.js'

/** A product category. */
export const Category = Type.Object({
  /** Opaque id. */
  id: Type.String({ description: 'Opaque id.' }),
  /** Display name. */
  name: Type.String({ description: 'Display name.' }),
  /** URL-safe name, unique. */
  slug: Type.String({ description: 'URL-safe name, unique.' }),
})
export type Category = Type.Static<typeof Category>

/** A product as clients see it (API.md). */
export const Product = Type.Object({
  /** Opaque id. */
  id: Type.String({ description: 'Opaque id.' }),
  /** Stock keeping unit, unique. */
  sku: Type.String({ description: 'Stock keeping unit, unique.' }),
  /** Display name. */
  name: Type.String({ description: 'Display name.' }),
  /** Longer text, searched with the name. */
  description: Type.String({ description: 'Longer text, searched with the name.' }),
  /** Current unit price. */
  price: Money,
  /** Its category. */
  category: Category,
  /** Image address (served by the platform, never fetched from elsewhere). */
  imageUrl: Type.String({ description: 'Image address.' }),
  /** Units that can still be bought: on hand minus reserved. */
  available: Type.Integer({ minimum: 0, description: 'Units that can still be bought.' }),
  /** When it was created, RFC 3339 UTC. */
  createdAt: Type.String({ format: 'date-time', description: 'When it was created.' }),
})
export type Product = Type.Static<typeof Product>

/** Stock of one product (API.md `PUT /products/{id}/stock`). */
export const StockLevel = Type.Object({
  /** The product. */
  productId: Type.String({ description: 'The product.' }),
  /** Units in the warehouse. */
  onHand: Type.Integer({ minimum: 0, description: 'Units in the warehouse.' }),
  /** Units held by reservations of orders not yet confirmed. */
  reserved: Type.Integer({ minimum: 0, description: 'Units held by open reservations.' }),
  /** onHand minus reserved. */
  available: Type.Integer({ minimum: 0, description: 'onHand minus reserved.' }),
})
export type StockLevel = Type.Static<typeof StockLevel>
