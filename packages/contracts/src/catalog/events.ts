import Type from 'typebox'
import { defineEvent } from '../events.js'
import { Money } from '../money.js'
import { TaxClass, WeightGrams } from '../tax-class.js'

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
  /**
   * Its variants with their own SKU and price (issue 17). Absent in events from before variants:
   * the product then has one variant, whose id is the product's, at the product's price.
   */
  variants: Type.Optional(
    Type.Array(
      Type.Object({
        /** The variant's id (the product's own for its first variant). */
        variantId: Type.String({ minLength: 1 }),
        /** Its SKU. */
        sku: Type.String(),
        /** Its unit price. */
        price: Money,
        /** Its option values in order for display (`M / Blue`); absent without options. */
        label: Type.Optional(Type.String()),
        /** Its value of each of the product's options. */
        options: Type.Optional(Type.Record(Type.String(), Type.String())),
        /** Its shipping weight in grams (issue 18). Absent in events from before weights: 0. */
        weightGrams: Type.Optional(WeightGrams),
      }),
    ),
  ),
  /**
   * `draft` (issue 17): shoppers cannot see, add or order it until it is `published` (a
   * `product.updated` then says so). Absent in events from before drafts: published.
   */
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('published')])),
  /** Its tax class (issue 18). Absent in events from before tax classes: `standard`. */
  taxClass: Type.Optional(TaxClass),
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

/** A category as its events carry it (issue 17). */
const CategorySnapshot = Type.Object({
  /** The category's id. */
  categoryId: Type.String({ minLength: 1, description: "The category's id." }),
  /** Its display name. */
  name: Type.String({ description: 'Its display name.' }),
  /** Its slug (what listings filter by). */
  slug: Type.String({ description: 'Its slug.' }),
})

/** A category was created (back office, issue 17). */
export const CategoryCreated = defineEvent('category.created', 1, CategorySnapshot)

/** A category was renamed or given another slug; carries the whole new category. */
export const CategoryUpdated = defineEvent('category.updated', 1, CategorySnapshot)

const OrderId = Type.String({ minLength: 1, description: 'The order the reservation is for.' })
const VariantId = Type.Optional(
  Type.String({
    minLength: 1,
    description: "The variant; absent for the product's first variant, whose id is the product's.",
  }),
)
const StockLine = Type.Object({
  /** The product. */
  productId: Type.String({ minLength: 1 }),
  /** The variant; absent for the product's first variant (whose id is the product's). */
  variantId: VariantId,
  /** Units. */
  quantity: Type.Integer({ minimum: 1 }),
})

/** All lines of an order are held (all or none); they stay held until commit, release or expiry. */
export const StockReserved = defineEvent(
  'stock.reserved',
  1,
  Type.Object({
    orderId: OrderId,
    lines: Type.Array(StockLine),
    /** When the hold expires unless committed or released. */
    expiresAt: Type.String({ format: 'date-time' }),
  }),
)

/** Nothing was held: some lines fell short (each with what was requested and available). */
export const StockRejected = defineEvent(
  'stock.rejected',
  1,
  Type.Object({
    orderId: OrderId,
    shortLines: Type.Array(
      Type.Object({
        productId: Type.String({ minLength: 1 }),
        variantId: VariantId,
        requested: Type.Integer({ minimum: 1 }),
        available: Type.Integer({ minimum: 0 }),
      }),
    ),
  }),
)

/** A held reservation was given back: the order was cancelled, or the hold expired. */
export const StockReleased = defineEvent(
  'stock.released',
  1,
  Type.Object({
    orderId: OrderId,
    reason: Type.Union([Type.Literal('cancelled'), Type.Literal('expired')]),
    lines: Type.Array(StockLine),
  }),
)

/** A held reservation was committed (order confirmed): its units left the warehouse's stock. */
export const StockCommitted = defineEvent(
  'stock.committed',
  1,
  Type.Object({ orderId: OrderId, lines: Type.Array(StockLine) }),
)

/**
 * A committed reservation's units came back to onHand: a confirmed order was cancelled, or a
 * return's units marked for restock were received (issue 20: the lines restocked).
 */
export const StockRestocked = defineEvent(
  'stock.restocked',
  1,
  Type.Object({ orderId: OrderId, lines: Type.Array(StockLine) }),
)
