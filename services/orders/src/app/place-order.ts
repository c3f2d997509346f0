import { randomUUID } from 'node:crypto'
import { orders as events, type orders } from '@emporium/contracts'
import { AppError, type Logger } from '@emporium/platform/app'
import { cartIdentity, type CartSnapshot } from '../domain/cart-identity.js'
import { orderFingerprint } from '../domain/idempotency.js'
import type { OrderRecord } from '../domain/order.js'
import { createIdempotentRunner, LostClaim, type IdempotentResult } from './idempotent-request.js'
import { eventBreakdown, eventLines, toOrder } from './order-view.js'
import {
  destinationOf,
  toCheckoutLines,
  type CheckoutRequest,
  type PricedCheckout,
} from './price-checkout.js'
import type {
  CartPort,
  CatalogPort,
  IdempotencyStore,
  KeyClaim,
  OrderStore,
  PaymentsPort,
  StoredResponse,
  VariantRef,
} from './ports.js'

export interface PlaceOrderDeps {
  orders: OrderStore
  keys: IdempotencyStore
  cart: CartPort
  catalog: CatalogPort
  payments: PaymentsPort
  /** The one totals model: discount, shipping and tax (app/price-checkout.ts). */
  priceCheckout: (request: CheckoutRequest) => Promise<PricedCheckout>
  now: () => Date
  /** How long catalog has to reserve the stock. */
  stockDeadlineMs: number
  log: Logger
  /** How long a claim holds its key before another request may take it over. Default 30 s. */
  leaseMs?: number
  /** How long a request waits for another holding the same key. Default 10 s. */
  waitMs?: number
  pollMs?: number
  newId?: () => string
}

export interface PlaceOrderRequest {
  userId: string
  /** A guest (a cart token, no account): `body.email` is required and kept with the order. */
  guest?: boolean
  /** The caller's `Authorization` header, passed to the cart. */
  authorization: string
  idempotencyKey: string
  body: orders.PlaceOrderBody
}

/** The response to send: the first one, or the stored one replayed. */
export type PlaceOrderResult = IdempotentResult

/** The variant a cart line is of (the product's first, of the product's id, when it names none). */
export const variantOf = (line: { productId: string; variantId?: string }) =>
  line.variantId ?? line.productId

/** What a placement reads of the cart: its orderable lines, its identity, their variants. */
interface CartRead {
  cartLines: CartSnapshot['lines']
  /** The cart's version, when it told it. */
  version: number | undefined
  identity: string
  variants: VariantRef[]
}

/** The lines' prices, the order holding the cart if any, and whether the key was claimed. */
type PricesRead = Awaited<ReturnType<CatalogPort['products']>>

/** Thrown inside the order's transaction when another order holds the cart (a concurrent one). */
class CartTaken extends Error {}

/**
 * Who a promotion's per-customer limit counts: the account, or a guest's e-mail address (a guest
 * gets a new cart token at will, not a new address).
 */
export function customerIdOf(request: { userId: string; guest?: boolean; email?: string }): string {
  return request.guest && request.email ? `email:${request.email.toLowerCase()}` : request.userId
}

/** A guest's placement without an e-mail address: the order would have no contact at all. */
export function requireGuestEmail(request: { guest?: boolean; email?: string }): void {
  if (request.guest && request.email === undefined) {
    throw new AppError(
      'invalid',
      'ORDERS.EMAIL_REQUIRED',
      "A guest's order needs an e-mail address: its confirmation and link are sent there.",
      { details: { errors: [{ path: '/body/email', message: 'required for a guest' }] } },
    )
  }
}

/**
 * `POST /orders`: the caller's cart, priced from orders' copy of the catalog's prices, paid with a card tokenized by
 * payments, stored `pending` with `order.placed` in one transaction. Idempotent per (caller,
 * key): the key is claimed before anything is written or the card tokenized (in the statement
 * that reads the lines' prices), a repeat replays the stored response, a request meeting one in
 * progress waits for it, and any failure gives the key back so that the client can retry with
 * it; nothing else is written before the final transaction.
 */
export function createPlaceOrder(deps: PlaceOrderDeps) {
  const idempotent = createIdempotentRunner(deps)
  const newId = deps.newId ?? randomUUID

  async function readCart(request: PlaceOrderRequest): Promise<CartRead> {
    const cart = await deps.cart.snapshot(request.authorization)
    const cartLines = cart.lines.filter((line) => !line.unavailable)
    // The same cart, still held by an order in flight: refused before the card is tokenized.
    // The unique index below is what enforces it; this answers the common case cheaply.
    const identity = cartIdentity(cart)
    const variants = [...new Map(cartLines.map((l) => [variantOf(l), l])).values()].map((l) => ({
      productId: l.productId,
      variantId: variantOf(l),
    }))
    return { cartLines, version: cart.version, identity, variants }
  }

  async function place(
    request: PlaceOrderRequest,
    claim: KeyClaim,
    read?: { cart: CartRead; prices: PricesRead },
  ): Promise<StoredResponse> {
    const { cartLines, version, identity, variants } = read?.cart ?? (await readCart(request))
    if (cartLines.length === 0) {
      throw new AppError(
        'invalid',
        'ORDERS.EMPTY_CART',
        'The cart has nothing that can be ordered.',
      )
    }
    const { products, holder } =
      read?.prices ??
      (await deps.catalog.products(variants, { userId: request.userId, cartIdentity: identity }))
    if (holder !== undefined) throw cartAlreadyPlaced(holder)
    const checkoutLines = toCheckoutLines(cartLines, products)
    const { body } = request
    const email = request.guest ? body.email?.toLowerCase() : undefined
    const customerId = customerIdOf({ ...request, ...(email && { email }) })
    const address = body.shippingAddress
    const priced = await deps.priceCheckout({
      lines: checkoutLines,
      destination: destinationOf(address),
      ...(body.shippingMethodId !== undefined && { shippingMethodId: body.shippingMethodId }),
      ...(body.promotionCode !== undefined && { promotionCode: body.promotionCode }),
      customerId,
    })
    const { lines, total } = priced
    const method = await deps.payments.tokenize(request.userId, body.payment)
    const at = deps.now()
    const order: OrderRecord = {
      id: newId(),
      userId: request.userId,
      status: 'pending',
      lines,
      total,
      pricing: priced.pricing,
      email: email ?? null,
      shipments: [],
      shippingAddress: request.body.shippingAddress,
      paymentMethod: { id: method.paymentMethodId, last4: method.last4, brand: method.brand },
      payment: null,
      cancellationReason: null,
      deadlineAt: new Date(at.getTime() + deps.stockDeadlineMs),
      paymentAttempt: 1,
      paymentDueBy: null,
      cartVersion: version ?? null,
      createdAt: at,
      updatedAt: at,
    }
    let response: StoredResponse
    try {
      response = await deps.orders.transaction(async (tx) => {
        // Its human number, and the customer's e-mail: a guest's own, an account's as orders
        // heard it from the users service (`user.registered`; filled in later if not yet).
        const { number, customerEmail } = await tx.numberFor(order.userId)
        const numbered: OrderRecord = {
          ...order,
          number,
          customerEmail: email ?? customerEmail ?? null,
        }
        const answer: StoredResponse = { status: 202, body: JSON.stringify(toOrder(numbered)) }
        if (!(await tx.completeKey(claim, answer))) throw new LostClaim()
        if (!(await tx.insert(numbered, identity))) throw new CartTaken()
        if (priced.promotion) {
          // Last: the promotion's row stays locked until commit (its limits count exactly).
          const reserved = await tx.promotions.reserve({
            code: priced.promotion.code,
            orderId: order.id,
            customerId,
            subtotal: priced.pricing.subtotal,
            now: at,
          })
          if (reserved.discount.amount !== priced.promotion.discount.amount) {
            throw new AppError(
              'conflict',
              'ORDERS.PROMOTION_CHANGED',
              'The promotion changed while the order was placed; ask for a new quote and retry.',
            )
          }
        }
        await tx.emit(events.OrderPlaced, {
          orderId: order.id,
          userId: order.userId,
          lines: eventLines(lines),
          total,
          ...eventBreakdown(order),
          at: at.toISOString(),
        })
        return answer
      })
    } catch (error) {
      if (!(error instanceof CartTaken)) throw error
      throw cartAlreadyPlaced(await deps.orders.orderHoldingCart(request.userId, identity))
    }
    deps.log.info({ orderId: order.id, total }, 'order placed')
    return response
  }

  return async (request: PlaceOrderRequest): Promise<PlaceOrderResult> => {
    requireGuestEmail({
      ...(request.guest !== undefined && { guest: request.guest }),
      ...(request.body.email !== undefined && { email: request.body.email }),
    })
    const keyRequest = {
      userId: request.userId,
      idempotencyKey: request.idempotencyKey,
      fingerprint: orderFingerprint(request.body),
    }
    // The cart is read before the key is claimed, so that the claim shares the statement that
    // reads the lines' prices and the cart's holder (a transaction fewer per order). A claim
    // made otherwise (the key existed: a repeat, or one in progress) reads both again.
    const cart = await readCart(request)
    if (cart.cartLines.length === 0) return idempotent(keyRequest, (claim) => place(request, claim))
    let prices: PricesRead | undefined
    return idempotent(
      keyRequest,
      (claim, claimedWith) =>
        place(request, claim, claimedWith && prices ? { cart, prices } : undefined),
      async (claim) => {
        prices = await deps.catalog.products(
          cart.variants,
          { userId: request.userId, cartIdentity: cart.identity },
          claim,
        )
        return prices.claimed === true
      },
    )
  }
}

function cartAlreadyPlaced(orderId: string | undefined): AppError {
  const which = orderId === undefined ? 'An order' : `Order ${orderId}`
  return new AppError(
    'conflict',
    'ORDERS.CART_ALREADY_PLACED',
    `${which}, placed from this very cart, is still in progress: the cart can be placed again ` +
      'only if that order is cancelled, or once its lines have left the cart.',
    { details: orderId === undefined ? {} : { orderId } },
  )
}
