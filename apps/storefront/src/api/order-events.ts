import { orderStatusEvents, terminalOrderStatuses, type OrderStatusEvent } from '@emporium/sdk'
import { shop } from './client'

/**
 * Follows an order's status live (`GET /orders/{id}/events`, read with fetch: EventSource
 * cannot send an Authorization header). It reconnects after a dropped connection until a
 * terminal status (shipped, cancelled) arrives or `signal` aborts; `onError` hears each failure.
 * A confirmed order is still followed: its shipping (or cancellation) shows up live too.
 */
export async function followOrder(
  orderId: string,
  onStatus: (event: OrderStatusEvent) => void,
  onError: (error: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  let delay = 1_000
  while (!signal.aborted) {
    try {
      for await (const status of orderStatusEvents(shop, orderId, { signal })) {
        onStatus(status)
        delay = 1_000
        if (terminalOrderStatuses.includes(status.status)) return
      }
    } catch (error) {
      if (signal.aborted) return
      onError(error)
    }
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 15_000)
  }
}
