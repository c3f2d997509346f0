import Type from 'typebox'
import { Money } from '../money.js'
import { Id } from '../text.js'

/*
 * The cart service's HTTP API (API.md, "Cart"). The service mounts these routes at its root
 * (`/cart`, `/cart/items`, `/cart/items/{productId}`); the gateway serves them under `/api/v1`.
 * Prices and names come from the catalog, never from the client: bodies reject unknown fields.
 */

/** Most units of one product in a cart line. */
export const maxLineQuantity = 99
/** Most lines in one cart. */
export const maxCartLines = 100

const ProductId = Id({ description: 'The product.' })

/** Body of `POST /cart/items`. */
export const AddItemBody = Type.Object(
  {
    /** The product to add (a catalog product id). */
    productId: ProductId,
    /**
     * Which of its variants (a catalog variant id): required when the product has more than one
     * (else 422 `CART.VARIANT_REQUIRED`); without it, the product's only variant.
     */
    variantId: Type.Optional(
      Id({ description: 'The variant to add; required when the product has several.' }),
    ),
    /** Units to add, 1 to 99; added to the line's quantity when the product is already there. */
    quantity: Type.Integer({
      minimum: 1,
      maximum: maxLineQuantity,
      description: "Units to add, 1 to 99; added to an existing line's quantity.",
    }),
  },
  { additionalProperties: false },
)
export type AddItemBody = Type.Static<typeof AddItemBody>

/** Body of `PATCH /cart/items/{productId}`. */
export const UpdateItemBody = Type.Object(
  {
    /** The line's new quantity, 0 to 99; 0 removes the line. */
    quantity: Type.Integer({
      minimum: 0,
      maximum: maxLineQuantity,
      description: "The line's new quantity, 0 to 99; 0 removes the line.",
    }),
  },
  { additionalProperties: false },
)
export type UpdateItemBody = Type.Static<typeof UpdateItemBody>

/** Path parameters of the item routes. */
export const ItemParams = Type.Object({
  /** The product of the line. */
  productId: ProductId,
})
export type ItemParams = Type.Static<typeof ItemParams>

/** Query of `PATCH` and `DELETE /cart/items/{productId}`: which variant's line. */
export const ItemQuery = Type.Object(
  {
    /**
     * The line of this variant of the product. Without it: the product's only line (PATCH: 422
     * `CART.VARIANT_REQUIRED` when the cart holds several variants of it; DELETE removes them all).
     */
    variantId: Type.Optional(
      Id({ description: "The variant's line; without it, the product's only line (or all)." }),
    ),
  },
  // Other parameters are ignored, as they were before this query had any.
)
export type ItemQuery = Type.Static<typeof ItemQuery>

/** One line of a cart. */
export const CartItem = Type.Object({
  /** The product. */
  productId: Type.String({ description: 'The product.' }),
  /** The variant in this line (the product's own id for a product without options). */
  variantId: Type.Optional(
    Type.String({ description: "The variant (the product's id for a product without options)." }),
  ),
  /** The variant's option values for display (`M / Blue`); absent for a product without options. */
  variantLabel: Type.Optional(
    Type.String({ description: "The variant's option values (M / Blue); absent without options." }),
  ),
  /** The product's name, as the catalog last told it. */
  name: Type.String({ description: "The product's name, as the catalog last told it." }),
  /** Current unit price, as the catalog last told it (by a lookup or an event). */
  unitPrice: Money,
  /** Units, 1 to 99. */
  quantity: Type.Integer({ minimum: 1, maximum: maxLineQuantity, description: 'Units, 1 to 99.' }),
  /** unitPrice times quantity; 0 when the line is unavailable. */
  lineTotal: Money,
  /**
   * Present (true) when the price could not be confirmed: the catalog is unreachable right now,
   * so the price shown is the last one known. It is checked again when the cart is changed.
   */
  stale: Type.Optional(
    Type.Boolean({ description: 'True when the price shown could not be confirmed just now.' }),
  ),
  /** The unit price when the line was last added or updated, present only when it changed since. */
  previousUnitPrice: Type.Optional(Money),
  /**
   * Present (true) when the product left the catalog: the line is kept for the customer to see
   * but counts in neither subtotal nor itemCount, and cannot be ordered.
   */
  unavailable: Type.Optional(
    Type.Boolean({ description: 'True when the product left the catalog (not counted).' }),
  ),
})
export type CartItem = Type.Static<typeof CartItem>

/** A customer's cart (there is one per customer; an empty one when they have none). */
export const Cart = Type.Object({
  /** Its lines, in the order they were first added. */
  items: Type.Array(CartItem, { description: 'Its lines, in the order they were first added.' }),
  /** Sum of the line totals. All lines of a cart share one currency. */
  subtotal: Money,
  /** Sum of the quantities of the available lines. */
  itemCount: Type.Integer({ minimum: 0, description: 'Sum of the quantities of the lines.' }),
  /** When the cart last changed, RFC 3339 UTC (now for an empty cart never written). */
  updatedAt: Type.String({ format: 'date-time', description: 'When the cart last changed.' }),
  /**
   * How many times the cart was written: one more with each change, 0 for a cart never written.
   * An order placed from the cart records it, so that settling the order leaves alone the lines
   * added after it (optional for carts served before it existed).
   */
  version: Type.Optional(
    Type.Integer({
      minimum: 0,
      description:
        'How many times the cart was written (one more with each change; 0: never written). ' +
        'An order records the version it was placed from.',
    }),
  ),
  /** Present (true) when some price could not be confirmed (see `items[].stale`). */
  stale: Type.Optional(
    Type.Boolean({ description: 'True when some price shown could not be confirmed just now.' }),
  ),
  /** Present (true) when some unit price changed since its line was added (`previousUnitPrice`). */
  priceChanged: Type.Optional(
    Type.Boolean({ description: 'True when some unit price changed since it was added.' }),
  ),
})
export type Cart = Type.Static<typeof Cart>

/** Why a guest's line did not move into the account's cart at a merge. */
export const NotMergedReason = Type.Union(
  [Type.Literal('line_limit'), Type.Literal('quantity_limit'), Type.Literal('currency_mismatch')],
  {
    description:
      '`line_limit`: the cart holds its most lines already; `quantity_limit`: the line holds ' +
      'its most units (the units above it); `currency_mismatch`: the cart is in another currency.',
  },
)
export type NotMergedReason = Type.Static<typeof NotMergedReason>

/** Units of a guest's line that a merge could not move (the guest's cart is emptied anyway). */
export const NotMergedLine = Type.Object({
  productId: Type.String({ description: 'The product.' }),
  variantId: Type.Optional(Type.String({ description: 'The variant.' })),
  name: Type.String({ description: "The product's name, as the guest's line held it." }),
  /** Units left out. */
  quantity: Type.Integer({ minimum: 1, description: 'Units left out.' }),
  reason: NotMergedReason,
})
export type NotMergedLine = Type.Static<typeof NotMergedLine>

/**
 * `POST /cart/merge` (200): the caller's cart after the guest's lines moved into it, with what
 * moved and what did not fit.
 */
export const MergeCartResponse = Type.Object({
  ...Cart.properties,
  /** Lines of the guest's cart that moved (wholly or in part) into this one. */
  mergedLines: Type.Integer({
    minimum: 0,
    description: "Lines of the guest's cart that moved (wholly or in part) into this one.",
  }),
  /** Units of the guest's lines that did not fit; empty when everything moved. */
  notMerged: Type.Array(NotMergedLine, {
    description: "Units of the guest's lines that did not fit; empty when everything moved.",
  }),
})
export type MergeCartResponse = Type.Static<typeof MergeCartResponse>
