import { setTimeout as sleep } from 'node:timers/promises'
import { finalOrderStatuses, type OrderStatus, type OrderStatusEvent } from '@emporium/sdk'
import type { CallInit } from '../http.js'
import type { ScenarioContext } from './context.js'

export interface OrderEnd {
  status: OrderStatus
  cancellationReason: string | null
}

/** A final status, or `payment_failed`: the shopper pays again or cancels (not final). */
const isSettled = (status: OrderStatus) =>
  finalOrderStatuses.includes(status) || status === 'payment_failed'

/**
 * Follows an order until a final status, or `payment_failed` (a declined payment: the shopper
 * acts on it, see the checkout scenario), or `deadline` (epoch ms): its status stream, as the
 * storefront does (falling back to polling if the stream fails or ends early), or polling
 * `GET /orders/{id}` with a growing pause. A status the order entered before `after` (epoch
 * ms: when the shopper last acted on it) is passed over. Undefined when the order was not seen
 * final (or payment_failed).
 */
export async function followOrder(
  context: ScenarioContext,
  auth: () => Promise<CallInit | undefined>,
  orderId: string,
  deadline: number,
  after = 0,
): Promise<OrderEnd | undefined> {
  const { http, stop } = context
  const order = { params: { path: { id: orderId } } }
  if (context.follow === 'stream') {
    const init = await auth()
    let last: OrderEnd | undefined
    const outcome = init
      ? await http.stream(
          'orders.stream',
          (api) =>
            api.GET('/api/v1/orders/{id}/events', {
              // The server ends the stream at the outcome (its connection is kept). After a
              // step of the shopper's, a payment_failed from before it may come first: not then.
              params: {
                ...order.params,
                query: { until: after ? 'confirmed' : 'confirmed,payment_failed' },
              },
              headers: { accept: 'text/event-stream' },
              parseAs: 'stream',
            }),
          init,
          deadline - Date.now(),
          (e) => {
            if (e.event !== 'status') return false
            const data = JSON.parse(e.data) as OrderStatusEvent
            // The stream runs behind the order: a status from before the shopper's last step
            // (the payment_failed a new attempt or a cancellation left) is news no more.
            if (Date.parse(data.at) < after) return false
            last = { status: data.status, cancellationReason: data.cancellationReason }
            return isSettled(data.status)
          },
        )
      : 'failed'
    if (outcome === 'done') return last
    if (outcome === 'timeout') return undefined
  }
  let pause = 200
  while (Date.now() < deadline && !stop.aborted) {
    const init = await auth()
    if (!init) return undefined
    const reply = await http.call(
      'orders.poll',
      (api) => api.GET('/api/v1/orders/{id}', order),
      init,
    )
    if (
      reply.answered &&
      reply.status === 200 &&
      isSettled(reply.body.status) &&
      Date.parse(reply.body.updatedAt) >= after
    )
      return { status: reply.body.status, cancellationReason: reply.body.cancellationReason }
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())), undefined, {
      signal: stop,
    }).catch(() => undefined)
    pause = Math.min(2_000, pause * 1.5)
  }
  return undefined
}
