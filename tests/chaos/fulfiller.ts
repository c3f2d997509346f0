import { ShopClient } from '../e2e/shop-client.js'

// The admin fulfiller of the chaos run (issue 18): while the load and the faults go on, an admin
// ships the steadfast shoppers' orders as they confirm, through the gateway as a warehouse tool
// would — an order of several units in two shipments (part, then the rest), the others in one.
// It insists through the faults (the shipping service is among the processes killed) without
// ever shipping twice: before each shipment it reads what the order's shipments hold already
// and ships only what is left, so a shipment whose answer was lost is never repeated (and the
// shipping service refuses more than was ordered anyway: an invariant checks it did).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface Fulfilment {
  orderId: string
  /**
   * `shipped`: every line is in a shipment (the order must end `shipped`); `cancelled`: the
   * order was cancelled before anything shipped; `not confirmed`: it did not confirm in the
   * fulfiller's patience (e.g. a decline never paid again); `gave up`: shipping kept failing.
   */
  outcome: 'shipped' | 'cancelled' | 'not confirmed' | 'gave up'
  /** Shipments the fulfiller saw created for the order (read back from the shipping service). */
  shipments: number
  /** Its first shipment held only part of the order. */
  partial: boolean
  /** Requests that failed and were sent again (5xx, network, not yet known to shipping). */
  retries: number
  detail?: string
}

interface OrderView {
  status: string
  items: Array<{ productId: string; variantId?: string; quantity: number }>
}

interface ShipmentView {
  lines: Array<{ variantId?: string; productId: string; quantity: number }>
}

export interface FulfillerOptions {
  api: string
  adminToken: string
  /** How long an order's confirmation is waited for, then how long its shipping insisted on. */
  patienceSeconds?: number
}

/** Ships orders handed to it; `finish()` waits for every one and returns what became of each. */
export function createFulfiller(options: FulfillerOptions) {
  const client = new ShopClient(options.api)
  const token = options.adminToken
  const patienceMs = (options.patienceSeconds ?? 300) * 1000
  const work: Array<Promise<Fulfilment>> = []

  /** What is left to ship of each variant, from the order and its shipments. */
  function remaining(order: OrderView, shipments: ShipmentView[]): Map<string, number> {
    const left = new Map<string, number>()
    for (const item of order.items) {
      const variant = item.variantId ?? item.productId
      left.set(variant, (left.get(variant) ?? 0) + item.quantity)
    }
    for (const shipment of shipments)
      for (const line of shipment.lines) {
        const variant = line.variantId ?? line.productId
        left.set(variant, (left.get(variant) ?? 0) - line.quantity)
      }
    return new Map([...left].filter(([, n]) => n > 0))
  }

  async function fulfil(orderId: string, sequence: number): Promise<Fulfilment> {
    let deadline = Date.now() + patienceMs
    const result: Fulfilment = {
      orderId,
      outcome: 'gave up',
      shipments: 0,
      partial: false,
      retries: 0,
    }
    // 1. Until it confirms (or ends otherwise).
    let order: OrderView | undefined
    for (;;) {
      const reply = await client
        .call<OrderView>(`/orders/${orderId}`, { token })
        .catch(() => undefined)
      const status = reply?.status === 200 ? reply.body.status : undefined
      if (status === 'confirmed' || status === 'shipped') {
        order = reply!.body
        break
      }
      if (status === 'cancelled') {
        result.outcome = 'cancelled'
        return result
      }
      if (Date.now() > deadline) {
        result.outcome = 'not confirmed'
        result.detail = `last status ${status ?? reply?.status ?? 'no answer'}`
        return result
      }
      await sleep(1_000 + Math.random() * 1_000)
    }
    // 2. Ship what is left, part first when there is more than one unit, until nothing is.
    deadline = Date.now() + patienceMs
    for (let step = 0; ; step++) {
      if (Date.now() > deadline) {
        result.detail = 'patience spent'
        return result
      }
      const listed = await client
        .call<{ items: ShipmentView[] }>(`/shipping/shipments?orderId=${orderId}`, { token })
        .catch(() => undefined)
      if (listed?.status !== 200) {
        result.retries++
        await sleep(700 + Math.random() * 600)
        continue
      }
      const shipments = listed.body.items
      result.shipments = shipments.length
      const left = remaining(order, shipments)
      if (left.size === 0) {
        result.outcome = 'shipped'
        return result
      }
      let lines = [...left].map(([variantId, quantity]) => ({ variantId, quantity }))
      const units = lines.reduce((n, l) => n + l.quantity, 0)
      if (shipments.length === 0 && units > 1) {
        // The first parcel holds part of the order: the first line, or half its units.
        const first = lines[0]!
        lines =
          lines.length > 1
            ? [first]
            : [{ variantId: first.variantId, quantity: Math.floor(first.quantity / 2) }]
        result.partial = true
      }
      const reply = await client
        .call<{ code?: string }>('/shipping/shipments', {
          token,
          body: {
            orderId,
            carrier: 'chaos-post',
            trackingNumber: `CHAOS-${sequence}-${step}`,
            lines,
          },
        })
        .catch(() => undefined)
      if (reply?.status === 201) continue
      const code = reply?.body?.code
      if (code === 'SHIPPING.NOTHING_TO_SHIP' || code === 'SHIPPING.QUANTITY_EXCEEDS_ORDER')
        continue // a shipment whose answer was lost: read again what is left
      if (code === 'SHIPPING.ORDER_CANCELLED') {
        result.outcome = 'cancelled'
        result.detail = 'cancelled while shipping'
        return result
      }
      if (reply && reply.status < 500 && code !== 'SHIPPING.ORDER_NOT_FOUND') {
        // Anything else is the fulfiller's mistake or the service's: no use insisting.
        result.detail = `refused ${reply.status}: ${JSON.stringify(reply.body).slice(0, 200)}`
        return result
      }
      // 5xx, no answer, or the confirmation has not reached shipping yet.
      result.retries++
      await sleep(700 + Math.random() * 600)
    }
  }

  return {
    /** Ships this order once it confirms (in the background); resolves with what became of it. */
    add(orderId: string): Promise<Fulfilment> {
      const done = fulfil(orderId, work.length).catch((error: unknown): Fulfilment => ({
        orderId,
        outcome: 'gave up' as const,
        shipments: 0,
        partial: false,
        retries: 0,
        detail: String(error),
      }))
      work.push(done)
      return done
    },
    /** Every order handed over, as it ended. */
    finish: () => Promise.all(work),
  }
}

export type Fulfiller = ReturnType<typeof createFulfiller>
