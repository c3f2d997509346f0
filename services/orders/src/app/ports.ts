import type { EventDefinition, catalog } from '@emporium/contracts'
import type { CartSnapshot } from '../domain/cart-identity.js'
import type { Money, OrderRecord, OrderShipment, OrderStatus } from '../domain/order.js'
import type { OrderCursor } from './cursor.js'
import type { PromotionUses } from './promotion-ports.js'
import type { RefundRows } from './refund-ports.js'

/** The card as the shopper typed it: passed to payments, never stored or logged. */
export interface Card {
  cardNumber: string
  expMonth: number
  expYear: number
  cvc: string
}

/** The cart service, asked with the caller's own token. */
export interface CartPort {
  /**
   * The caller's cart as it is now: every line (the unavailable ones flagged) and when it last
   * changed. Throws AppError `unavailable` (with retryAfterSeconds) when the cart cannot answer.
   */
  snapshot(authorization: string): Promise<CartSnapshot>
}

/** A variant of a product, as a cart line names it. */
export interface VariantRef {
  productId: string
  /** The product's own id for its first variant. */
  variantId: string
}

/** A variant's name (its product's), label and price now. */
export interface PricedVariant {
  productId: string
  name: string
  label?: string
  price: Money
  /** The product's tax class (`standard` unless the catalog says otherwise). */
  taxClass?: string
  /** The variant's weight in grams (0: unknown). */
  weightGrams?: number
}

/** The catalog service: the authoritative name and price of a product's variant. */
export interface CatalogPort {
  /**
   * Each variant's name and price now, by variant id; a variant unknown, or of a product deleted,
   * is absent from the map. Throws `unavailable` when it cannot tell. With `holding`, also the
   * order (not cancelled) holding that customer's cart, if any, read in the same statement
   * (docs/checkout.md, "One cart, one order": the cheap check before the card is tokenized).
   * With `claim`, the same statement also claims that new `Idempotency-Key` (as
   * `IdempotencyStore.claim`'s first insert does): `claimed` says whether it did, false when
   * the key exists (its store then tells why).
   */
  products(
    variants: readonly VariantRef[],
    holding?: { userId: string; cartIdentity: string },
    claim?: KeyClaimRequest,
  ): Promise<{ products: Map<string, PricedVariant>; holder?: string; claimed?: boolean }>
}

/** The product consumers' writes to orders' copy of the catalog's prices (newest event wins). */
export interface CatalogPriceWriter {
  upsert(product: catalog.ProductSnapshot, at: Date): Promise<void>
  remove(productId: string, at: Date): Promise<void>
}

/** What orders may keep of a card: the payments service's token, last4 and brand. */
export interface PaymentMethod {
  paymentMethodId: string
  last4: string
  brand: string
}

/** The payments service's tokenization. */
export interface PaymentsPort {
  /** Throws AppError `invalid` (with field errors) for a bad card; `unavailable` when down. */
  tokenize(userId: string, card: Card): Promise<PaymentMethod>
}

/** Where an order goes, as shipping and tax rates look at it. */
export interface Destination {
  country: string
  region?: string
  postalCode?: string
}

/** A shipping method the destination is offered, priced for one cart. */
export interface ShippingQuote {
  methodId: string
  name: string
  carrier: string
  price: Money
  estimatedDays?: { min: number; max: number }
}

/** The shipping service's quotes. */
export interface ShippingPort {
  /**
   * The methods offered to the destination for a cart of this subtotal and weight, cheapest
   * first (none: the shop ships nothing by method there). Throws `unavailable` when down.
   */
  quotes(input: {
    destination: Destination
    subtotal: Money
    weightGrams: number
  }): Promise<ShippingQuote[]>
}

/** Everything done to orders inside one transaction (a use case's, or a consumer's inbox's). */
export interface OrderTx {
  /** The order, its row locked until commit; undefined when there is none. */
  lock(orderId: string): Promise<OrderRecord | undefined>
  /**
   * Inserts the order, placed from the cart `cartIdentity` identifies; false (and the
   * transaction must be abandoned) when another order not cancelled holds that cart already.
   */
  insert(order: OrderRecord, cartIdentity?: string): Promise<boolean>
  /** Writes the order's mutable fields (status, payment, reason, deadline, updated_at). */
  save(order: OrderRecord): Promise<void>
  /** The promotion uses of this transaction (reserved at placement, spent, given back). */
  readonly promotions: PromotionUses
  /** The order's refunds and returns in this transaction (issue 19). */
  readonly refunds: RefundRows
  /** The key of guests' order links, read in this transaction (undefined: not made yet). */
  orderLinkKey(): Promise<string | undefined>
  /** Records (or updates the status of) a shipment of the order, by its id. */
  recordShipment(orderId: string, shipment: OrderShipment): Promise<void>
  /** Writes an event to the outbox in this transaction. */
  emit<D>(event: EventDefinition<string, D>, data: D): Promise<void>
  /** Stores the response of a claimed key; false when the claim was lost (another took it). */
  completeKey(claim: KeyClaim, response: StoredResponse): Promise<boolean>
  /**
   * The next human order number (a sequence: a number of a rolled-back order is skipped), and
   * the account's e-mail as orders heard it (`user.registered`; undefined when not heard yet),
   * in one round trip.
   */
  numberFor(userId: string): Promise<{ number: number; customerEmail: string | undefined }>
  /** Keeps an account's e-mail, and fills it into that account's orders that have none yet. */
  rememberCustomer(userId: string, email: string, at: Date): Promise<void>
  /** Adds a staff member's internal note to an order. */
  addNote(note: OrderNote): Promise<void>
}

/** A staff member's internal note on an order (never shown to the shopper). */
export interface OrderNote {
  id: string
  orderId: string
  authorId: string
  text: string
  createdAt: Date
}

export interface ListCriteria {
  /** Only this customer's orders; undefined: everyone's (admin). */
  userId?: string
  status?: OrderStatus
  /** The order with this human number. */
  number?: number
  /** Orders whose customer e-mail starts with this (lower-cased). */
  emailPrefix?: string
  /** Placed at or after `from`, and before `to`. */
  from?: Date
  to?: Date
  /** Totals within these bounds, inclusive, in minor units. */
  minTotal?: number
  maxTotal?: number
  after?: OrderCursor
  limit: number
}

/** Where orders live. */
export interface OrderStore {
  transaction<T>(fn: (tx: OrderTx) => Promise<T>): Promise<T>
  find(orderId: string): Promise<OrderRecord | undefined>
  /** The id of the caller's order, not cancelled, placed from this cart; undefined if none. */
  orderHoldingCart(userId: string, cartIdentity: string): Promise<string | undefined>
  /** Newest first, after the cursor. */
  list(criteria: ListCriteria): Promise<OrderRecord[]>
  /** An order's internal notes, oldest first. */
  notes(orderId: string): Promise<OrderNote[]>
  /**
   * Cancels, one transaction each, orders waiting past their deadline: `decide` gets each due
   * order, locked (replicas skip orders another holds), and writes through `tx`. A failing
   * order is logged and left for the next sweep. Returns how many `decide` said it changed.
   */
  forEachDue(
    now: Date,
    decide: (order: OrderRecord, tx: OrderTx) => Promise<boolean>,
  ): Promise<number>
}

/** A key this request holds. */
export interface KeyClaim {
  userId: string
  key: string
  token: string
}

/** A new key's claim, as written: held under `token` for `leaseMs` from `now`. */
export interface KeyClaimRequest extends KeyClaim {
  fingerprint: string
  now: Date
  leaseMs: number
}

export interface StoredResponse {
  status: number
  /** The response body, serialized once: a replay sends these very bytes. */
  body: string
}

export type ClaimOutcome =
  | { kind: 'claimed'; claim: KeyClaim }
  | { kind: 'reused' }
  | { kind: 'completed'; response: StoredResponse }
  | { kind: 'in_progress' }

/** The idempotency keys of `POST /orders`. */
export interface IdempotencyStore {
  /**
   * In its own transaction: takes the key (new, or its lease expired) for `leaseMs`, or says
   * why not: another body used it, it is done (the response to replay), or held by another.
   */
  claim(
    userId: string,
    key: string,
    fingerprint: string,
    now: Date,
    leaseMs: number,
  ): Promise<ClaimOutcome>
  /** Gives a failed request's key back so the client may retry with it. */
  release(claim: KeyClaim): Promise<void>
  /** Deletes keys created before `before`; returns how many. */
  purge(before: Date): Promise<number>
}
