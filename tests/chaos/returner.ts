import { randomUUID } from 'node:crypto'
import { ShopClient } from '../e2e/shop-client.js'
import type { Fulfilment } from './fulfiller.js'

// The returns branch of the chaos run (issue 19), in the style of the fulfiller: while the load
// and the faults go on, for some of the orders the fulfiller shipped the shopper asks to return
// units (with the steadfast shopper's own token) and staff (the fulfiller's admin) receive them,
// restocking the units of one return and not those of the next; for others staff refund part of
// the order by amount. Every step insists through the faults without ever acting twice:
// - a return (POST /returns has no Idempotency-Key) is asked for only after listing the order's
//   returns shows none, so one whose answer was lost is found, not asked for again (and orders
//   refuses to return more than shipped anyway: 409 ORDERS.RETURN_EXCEEDS_SHIPPED);
// - a receive whose answer was lost is sent again and refused with 409 ORDERS.RETURN_NOT_OPEN:
//   done when the return reads `received` or `refunded`;
// - a refund by amount is sent again with the same Idempotency-Key, answered with its first
//   answer (one refund).
// Each one then waits for its refund to land (the return `refunded`, the refund `refunded`).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const pause = () => sleep(700 + Math.random() * 600)

export interface Returned {
  orderId: string
  kind: 'return' | 'refund'
  /**
   * `refunded`: the return (or refund) ended refunded; `not shipped`: the fulfiller did not ship
   * the order (nothing asked); `received`: received, but its refund had not landed in the
   * returner's patience; `gave up`: the faults (or a refusal) stopped it, see `detail`.
   */
  outcome: 'refunded' | 'not shipped' | 'received' | 'gave up'
  returnId?: string
  refundId?: string
  /** Units returned and received, and how many of them restocked. */
  units: number
  restocked: number
  /** The refund by amount asked for (minor units). */
  amount?: number
  /** Requests sent again (5xx, no answer, a lost answer found afterwards). */
  retries: number
  detail?: string
}

interface OrderView {
  status: string
  total: { amount: number; currency: string }
  items: Array<{ productId: string; variantId?: string; quantity: number }>
}

interface ReturnView {
  id: string
  status: string
  refundId?: string
}

interface RefundView {
  id: string
  status: string
}

export interface ReturnerOptions {
  api: string
  adminToken: string
  /** How long each step insists (waiting for the order, asking, waiting for the refund). */
  patienceSeconds?: number
}

/** Returns and refunds orders handed to it; `finish()` waits for every one. */
export function createReturner(options: ReturnerOptions) {
  const client = new ShopClient(options.api)
  const admin = options.adminToken
  const patienceMs = (options.patienceSeconds ?? 300) * 1000
  const work: Array<Promise<Returned>> = []
  let returns = 0

  /** Runs `step` until it returns a value or the deadline passes (then undefined). */
  async function insist<T>(
    result: Returned,
    deadline: number,
    step: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    for (;;) {
      const value = await step().catch(() => undefined)
      if (value !== undefined) return value
      if (Date.now() > deadline) return undefined
      result.retries++
      await pause()
    }
  }

  /** The order once `shipped` as its shopper sees it (the shipments reach orders by events). */
  const shippedOrder = (result: Returned, token: string, deadline: number) =>
    insist(result, deadline, async () => {
      const reply = await client.call<OrderView>(`/orders/${result.orderId}`, { token })
      return reply.status === 200 && reply.body.status === 'shipped' ? reply.body : undefined
    })

  const listReturns = async (orderId: string, token: string) => {
    const reply = await client.call<{ items: ReturnView[] }>(`/orders/${orderId}/returns`, {
      token,
    })
    return reply.status === 200 ? reply.body.items : undefined
  }

  async function returnOrder(result: Returned, token: string, sequence: number): Promise<Returned> {
    const { orderId } = result
    const deadline = Date.now() + patienceMs
    const order = await shippedOrder(result, token, deadline)
    if (!order) return { ...result, outcome: 'gave up', detail: 'never read shipped' }
    // Every unit of the first line, or one of two every other time.
    const line = order.items[0]!
    const quantity = line.quantity > 1 && sequence % 2 === 1 ? 1 : line.quantity
    const lines = [
      { productId: line.productId, ...(line.variantId && { variantId: line.variantId }), quantity },
    ]
    // 1. The shopper asks, unless a return whose answer was lost is listed already.
    let refused: string | undefined
    const returnId = await insist(result, deadline, async () => {
      const listed = await listReturns(orderId, token)
      if (listed === undefined) return undefined
      if (listed.length > 0) return listed[0]!.id
      const reply = await client.call<{ id: string; code?: string }>(`/orders/${orderId}/returns`, {
        token,
        body: { lines, reason: 'chaos: changed my mind' },
      })
      if (reply.status === 201) return reply.body.id
      const code = reply.body?.code
      // Lost answers (the units are being returned already) are found by the next listing.
      if (code === 'ORDERS.RETURN_EXCEEDS_SHIPPED' || reply.status >= 500 || reply.status === 429)
        return undefined
      refused = `return refused ${reply.status}: ${JSON.stringify(reply.body).slice(0, 200)}`
      return 'refused'
    })
    if (refused || !returnId)
      return { ...result, outcome: 'gave up', detail: refused ?? 'no return' }
    result.returnId = returnId
    // 2. Staff receive every unit, restocking those of every other return.
    const restock = sequence % 4 < 2
    const received = await insist(result, deadline, async () => {
      const reply = await client.call<{ code?: string } & ReturnView>(
        `/orders/${orderId}/returns/${returnId}/receive`,
        { token: admin, body: { lines: lines.map((l) => ({ ...l, restock })) } },
      )
      if (reply.status === 200) return reply.body.status
      if (reply.body?.code === 'ORDERS.RETURN_NOT_OPEN') {
        // A retried receive: done if the first one was taken.
        const now = (await listReturns(orderId, admin))?.find((r) => r.id === returnId)
        if (now && ['received', 'refunded'].includes(now.status)) return now.status
        if (now) {
          refused = `return ${now.status}, not received`
          return now.status
        }
        return undefined
      }
      if (reply.status >= 500 || reply.status === 429) return undefined
      refused = `receive refused ${reply.status}: ${JSON.stringify(reply.body).slice(0, 200)}`
      return 'refused'
    })
    if (refused || !received)
      return { ...result, outcome: 'gave up', detail: refused ?? 'never received' }
    result.units = quantity
    result.restocked = restock ? quantity : 0
    // 3. Its refund lands.
    const refunded = await insist(result, Date.now() + patienceMs, async () => {
      const now = (await listReturns(orderId, admin))?.find((r) => r.id === returnId)
      if (now?.refundId) result.refundId = now.refundId
      return now?.status === 'refunded' ? true : undefined
    })
    return { ...result, outcome: refunded ? 'refunded' : 'received' }
  }

  async function refundOrder(result: Returned): Promise<Returned> {
    const { orderId } = result
    const deadline = Date.now() + patienceMs
    const order = await insist(result, deadline, async () => {
      const reply = await client.call<OrderView>(`/orders/${orderId}`, { token: admin })
      return reply.status === 200 && ['confirmed', 'shipped'].includes(reply.body.status)
        ? reply.body
        : undefined
    })
    if (!order) return { ...result, outcome: 'gave up', detail: 'never read confirmed' }
    // A tenth of the order, asked for with one key however many times it is sent.
    const amount = Math.max(1, Math.floor(order.total.amount / 10))
    result.amount = amount
    const key = randomUUID()
    let refused: string | undefined
    const refundId = await insist(result, deadline, async () => {
      const reply = await client.call<{ id: string; code?: string }>(`/orders/${orderId}/refunds`, {
        token: admin,
        body: { amount: { amount, currency: order.total.currency }, reason: 'chaos: goodwill' },
        headers: { 'idempotency-key': key },
      })
      if (reply.status === 202) return reply.body.id
      if (
        reply.status >= 500 ||
        reply.status === 429 ||
        reply.body?.code === 'ORDERS.IDEMPOTENCY_KEY_IN_PROGRESS'
      )
        return undefined
      refused = `refund refused ${reply.status}: ${JSON.stringify(reply.body).slice(0, 200)}`
      return 'refused'
    })
    if (refused || !refundId)
      return { ...result, outcome: 'gave up', detail: refused ?? 'no refund' }
    result.refundId = refundId
    const refunded = await insist(result, Date.now() + patienceMs, async () => {
      const reply = await client.call<{ items: RefundView[] }>(`/orders/${orderId}/refunds`, {
        token: admin,
      })
      const now = reply.status === 200 ? reply.body.items.find((r) => r.id === refundId) : undefined
      return now?.status === 'refunded' ? true : undefined
    })
    return { ...result, outcome: refunded ? 'refunded' : 'received' }
  }

  const handle = (
    orderId: string,
    kind: Returned['kind'],
    shipped: Promise<Fulfilment>,
    run: (result: Returned) => Promise<Returned>,
  ) => {
    const result: Returned = {
      orderId,
      kind,
      outcome: 'gave up',
      units: 0,
      restocked: 0,
      retries: 0,
    }
    work.push(
      shipped
        .then((f) =>
          f.outcome === 'shipped' ? run(result) : { ...result, outcome: 'not shipped' as const },
        )
        .catch((error: unknown) => ({
          ...result,
          outcome: 'gave up' as const,
          detail: String(error),
        })),
    )
  }

  return {
    /** Once the fulfiller shipped it, the shopper returns units of the order; staff receive them. */
    addReturn(orderId: string, shopperToken: string, shipped: Promise<Fulfilment>) {
      const sequence = returns++
      handle(orderId, 'return', shipped, (r) => returnOrder(r, shopperToken, sequence))
    },
    /** Once the fulfiller shipped it, staff refund a tenth of the order by amount. */
    addRefund(orderId: string, shipped: Promise<Fulfilment>) {
      handle(orderId, 'refund', shipped, refundOrder)
    },
    /** Every order handed over, as it ended. */
    finish: () => Promise.all(work),
  }
}

export type Returner = ReturnType<typeof createReturner>
