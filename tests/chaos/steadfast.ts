import { randomUUID } from 'node:crypto'
import { cardOf, cards, shippingAddress, ShopClient } from '../e2e/shop-client.js'
import { soldOut } from './invariants.js'

// Steadfast shoppers: beside the load generator's crowd (which gives up at the first error, as
// most visitors do), shoppers who insist, as a storefront does while a service restarts. Each
// registers, puts one of a few scarce products in the cart and places one order, retrying every
// step through the faults, the order always with the same Idempotency-Key. Afterwards each must
// have exactly one order, the one its accepted answer named; the scarce products sell out under
// contention, so stock conservation is tested where it is tight. A shopper whose card was declined
// (issue 18: the order waits `payment_failed`, its stock held) pays the same order again with
// another card, insisting with one Idempotency-Key too, until the payment deadline refuses it.
// A share of them enter the run's promotion code (issue 18), limited to far fewer uses than they
// are: refused with 409 ORDERS.PROMOTION_EXHAUSTED, the shopper places the order without it (a
// new body, so a new Idempotency-Key). Each accepted order is handed to the fulfiller.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A definite answer (4xx): retrying would not change it. */
class Refused extends Error {}

export interface SteadfastCheckout {
  userId: string
  /** The order the platform's 202 named; undefined when it was never accepted in time. */
  orderId?: string
  /** What ended the attempt when no order was accepted. */
  failure?: string
  attempts: number
  /**
   * After a decline: `accepted` when the retry with another card was taken (202), else what
   * ended it (the order cancelled first, a 409 past the payment deadline, the patience spent).
   */
  paymentRetry?: string
  /**
   * For a shopper who entered the promotion code: `applied` (the accepted order carries it) or
   * `exhausted` (refused with 409 ORDERS.PROMOTION_EXHAUSTED, then placed without it).
   */
  promotion?: 'applied' | 'exhausted'
}

export interface SteadfastOptions {
  api: string
  adminToken: string
  /** How many shoppers, spread evenly over `seconds`. */
  shoppers: number
  seconds: number
  /** How long one shopper insists (a step's retries stop then). */
  patienceSeconds?: number
  signal?: AbortSignal
  /** The promotion code entered by every `every`th shopper (the first included). */
  promotion?: { code: string; every: number }
  /** Called with each accepted order (the shopper's number and token beside it). */
  onOrder?: (orderId: string, shopper: number, token: string) => void
}

const mix = [cards.approved, cards.approved, cards.approved, cards.transient, cards.declined]

/** Creates the scarce products (fewer units than the shoppers want, so some sell out). */
export async function createScarceProducts(api: string, adminToken: string, shoppers: number) {
  const client = new ShopClient(api)
  const products = []
  const units = Math.max(4, Math.floor((shoppers * 1.5) / 5 / 1.4))
  for (let i = 0; i < 5; i++)
    products.push(await client.createProduct(adminToken, 1000 + i * 111, units))
  return products.map((p) => p.id)
}

/** Runs the shoppers; resolves when each has an accepted order or has given up. */
export async function runSteadfast(
  options: SteadfastOptions & { productIds: readonly string[] },
): Promise<SteadfastCheckout[]> {
  const client = new ShopClient(options.api)
  const patienceMs = (options.patienceSeconds ?? 150) * 1000
  const gapMs = (options.seconds * 1000) / Math.max(1, options.shoppers)

  /**
   * Runs `step` until it returns a value, or the deadline passes (then throws its last error);
   * a `Refused` (the platform's considered no) ends it at once.
   */
  async function insist<T>(deadline: number, step: () => Promise<T | undefined>): Promise<T> {
    let last: unknown
    for (;;) {
      try {
        const value = await step()
        if (value !== undefined) return value
      } catch (error) {
        if (error instanceof Refused) throw error
        last = error
      }
      if (Date.now() > deadline) throw last ?? new Error('gave up')
      await sleep(300 + Math.random() * 400)
    }
  }

  /** Waits for the decline, then pays the order again with the approved card (one key). */
  async function retryPayment(token: string, orderId: string, deadline: number): Promise<string> {
    await insist(deadline, async () => {
      const reply = await client.call(`/orders/${orderId}`, { token }).catch(() => undefined)
      const status = reply?.status === 200 ? (reply.body as { status: string }).status : undefined
      if (status === 'payment_failed') return true
      if (status === 'cancelled') throw new Refused('cancelled before the retry')
      return undefined
    })
    const key = randomUUID()
    return insist(deadline, async () => {
      const reply = await client
        .retryPayment(token, orderId, cards.approved, key)
        .catch(() => undefined)
      if (reply?.status === 202) return 'accepted'
      if (reply && reply.status < 500 && reply.status !== 429)
        throw new Refused(`retry refused ${reply.status}`)
      return undefined
    })
  }

  async function shop(i: number): Promise<SteadfastCheckout> {
    await sleep(i * gapMs)
    const deadline = Date.now() + patienceMs
    let attempts = 0
    const result: SteadfastCheckout = { userId: '', attempts: 0 }
    try {
      const { token, userId } = await insist(deadline, () => client.register())
      result.userId = userId
      const productId = options.productIds[i % options.productIds.length]!
      const quantity = 1 + (i % 2)
      await insist(deadline, async () => {
        const reply = await client.call('/cart/items', { token, body: { productId, quantity } })
        if (reply.status === 200) return true
        if (reply.status === 409) throw new Refused(soldOut)
        return undefined
      })
      const card = mix[i % mix.length]!
      const promotionCode =
        options.promotion && i % options.promotion.every === 0 ? options.promotion.code : undefined
      /** One placement, insisted on with one Idempotency-Key; `exhausted` when the code is. */
      const place = (code: string | undefined) => {
        const key = randomUUID()
        const body = {
          shippingAddress,
          payment: cardOf(card),
          ...(code !== undefined && { promotionCode: code }),
        }
        return insist(deadline, async () => {
          attempts++
          const reply = await client
            .call<{ id: string; code?: string }>('/orders', {
              token,
              body,
              headers: { 'idempotency-key': key },
            })
            .catch(() => undefined)
          if (reply?.status === 202) return reply.body
          if (reply?.body?.code === 'ORDERS.PROMOTION_EXHAUSTED') return 'exhausted' as const
          if (reply && reply.status < 500 && ![409, 429].includes(reply.status))
            throw new Refused(
              `refused ${reply.status}: ${JSON.stringify(reply.body).slice(0, 200)}`,
            )
          return undefined
        })
      }
      let placed = await place(promotionCode)
      if (placed === 'exhausted') {
        result.promotion = 'exhausted'
        placed = await place(undefined)
      } else if (promotionCode !== undefined) {
        result.promotion = 'applied'
      }
      if (placed === 'exhausted') throw new Refused('promotion exhausted without a code')
      const order = placed
      result.orderId = order.id
      options.onOrder?.(order.id, i, token)
      if (card === cards.declined) {
        result.paymentRetry = await retryPayment(token, order.id, deadline).catch((error) =>
          error instanceof Error ? error.message : String(error),
        )
      }
    } catch (error) {
      result.failure = error instanceof Error ? error.message : String(error)
    }
    result.attempts = attempts
    return result
  }

  return Promise.all(
    Array.from({ length: options.shoppers }, (_, i) =>
      options.signal?.aborted
        ? Promise.resolve({ userId: '', attempts: 0, failure: 'aborted' })
        : shop(i),
    ),
  )
}
