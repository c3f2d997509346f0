import type { cart } from '@emporium/contracts'
import type { CatalogProduct, StoredCart } from '../domain/cart.js'
import type { PriceEntry } from '../domain/pricing.js'

/** Where carts live: Redis in production, the service's SQL database embedded. */
export interface CartStore {
  /** The user's cart, or undefined when there is none (never written, cleared or expired). */
  get(userId: string): Promise<StoredCart | undefined>
  /**
   * Writes `cart` (whose `version` is `expectedVersion + 1`) only if the stored version is still
   * `expectedVersion` (0: no cart). False when another write came first. Refreshes the idle TTL.
   * With `started` (the write takes the cart from no lines to some), a written cart also tells
   * `cart.started` through the outbox: the SQL store in the write's transaction; Redis right
   * after its compare-and-set, and a failure there is logged, not thrown (the shopper's write
   * stands; the cart is missing from reporting's count).
   */
  save(cart: StoredCart, expectedVersion: number, started?: CartStart): Promise<boolean>
  /**
   * Writes several carts at once, each only over its expected version, all or none: false (and
   * nothing written) when another write came first to any of them. Refreshes their idle TTL.
   */
  saveAll(writes: ReadonlyArray<{ cart: StoredCart; expectedVersion: number }>): Promise<boolean>
  /** Deletes carts untouched since `idleSince`; a store with its own expiry (Redis TTL) returns 0. */
  sweepIdle(idleSince: Date): Promise<number>
}

/** What `cart.started` tells of a cart whose first line was just added. */
export type CartStart = cart.CartStartedData

/**
 * Reading and compare-and-set writing of carts, bound to where the caller's effect commits: for
 * the `order.confirmed` consumer, the SQL store within its inbox transaction, Redis on its own
 * (see the service's `cartsIn`).
 */
export type CartWriter = Pick<CartStore, 'get' | 'save'>

/** The catalog, asked when a line is added or changed. */
export interface Catalog {
  /**
   * The product and its variants now, or undefined when it is unknown or deleted. Throws
   * AppError `unavailable` (`CART.CATALOG_UNAVAILABLE`, with retryAfterSeconds) when the
   * catalog cannot answer.
   */
  product(productId: string): Promise<CatalogProduct | undefined>
  /** False while the catalog's last answer was a failure (prices cannot be confirmed). */
  reachable(): boolean
}

/** The local copy of prices, read side. */
export interface PriceCopy {
  /** The entries of these keys (variant ids; a product's id is its first variant's). */
  lookup(keys: string[]): Promise<Map<string, PriceEntry>>
}

/** A variant's price as a catalog event tells it. */
export interface VariantPrice {
  variantId: string
  label?: string
  price: NonNullable<PriceEntry['price']>
}

/** A change of a product, as told by a catalog event. */
export type PriceChange =
  | {
      kind: 'updated'
      productId: string
      name: string
      /** Every variant's (a product without options: one, with the product's id). */
      variants: VariantPrice[]
      asOf: string
    }
  | { kind: 'deleted'; productId: string; asOf: string }

/** The local copy of prices, write side (inside the consumer's inbox transaction). */
export interface PriceCopyWriter {
  /** Applies the change only if it is newer than what the copy holds: repeats are harmless. */
  apply(change: PriceChange): Promise<void>
}

/** Guests' cart tokens, as the caller merging a guest's cart presents one (`x-cart-token`). */
export interface GuestTokens {
  /**
   * The guest a cart token names (its `sub`, `guest_<uuid>`), once verified as every access
   * token is. Throws AppError 400 `CART.INVALID_CART_TOKEN` for a token that is not valid, has
   * expired or is not a guest's; `unavailable` when the keys cannot be had.
   */
  guestOf(token: string | undefined): Promise<string>
}
