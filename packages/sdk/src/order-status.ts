// An order's status as it changes: `GET /api/v1/orders/{id}/events`, typed.
import type { EmporiumClient } from './client.js'
import { readServerSentEvents } from './events.js'
import { EmporiumProblem } from './problem.js'
import type { paths } from './schema.js'

/** One `status` event of an order's stream: the status it reached and when. */
export type OrderStatusEvent =
  paths['/api/v1/orders/{id}/events']['get']['responses'][200]['content']['text/event-stream']

/** The outcomes of checkout: a placed order always reaches one of them. */
export const finalOrderStatuses: readonly OrderStatusEvent['status'][] = [
  'confirmed',
  'shipped',
  'cancelled',
]

/**
 * The statuses nothing follows; the status stream ends after one of them. A confirmed order's
 * stream stays open: it ships, or it is cancelled and refunded.
 */
export const terminalOrderStatuses: readonly OrderStatusEvent['status'][] = ['shipped', 'cancelled']

/**
 * The order's `status` events: the current status first, then one per change, until the
 * stream ends after a terminal status (shipped or cancelled), or after one of `until`: a caller
 * that only waits for the checkout's outcome asks `until: ['confirmed', 'payment_failed']` (the
 * server then ends the stream, which keeps its connection for the next request). Fails with an
 * EmporiumProblem when the stream is refused; leaving the loop early closes it, and so does
 * aborting `signal` (the loop then throws).
 * (To resume after a dropped connection with Last-Event-ID, read the stream with
 * readServerSentEvents, which gives each event's id.)
 */
export async function* orderStatusEvents(
  client: EmporiumClient,
  orderId: string,
  options: { signal?: AbortSignal; until?: readonly OrderStatusEvent['status'][] } = {},
): AsyncGenerator<OrderStatusEvent, void, undefined> {
  const until = options.until?.length ? { until: options.until.join(',') } : undefined
  const { error, response } = await client.GET('/api/v1/orders/{id}/events', {
    params: { path: { id: orderId }, ...(until ? { query: until } : {}) },
    headers: { accept: 'text/event-stream' },
    parseAs: 'stream',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  if (!response.ok) throw EmporiumProblem.from(error, response)
  for await (const event of readServerSentEvents(response)) {
    if (event.event === 'status') yield JSON.parse(event.data) as OrderStatusEvent
  }
}
