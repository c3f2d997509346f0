import type { orders } from '@emporium/contracts'
import { createEventParser } from '../lib/event-stream'
import { authorizedFetch } from './client'

const finals: readonly orders.OrderStatus[] = ['confirmed', 'shipped', 'cancelled']

/**
 * Follows an order's status live (`GET /orders/{id}/events`). EventSource cannot send an
 * Authorization header, so this reads the stream with fetch. It reconnects after a dropped
 * connection until a final status arrives or `signal` aborts; `onError` hears each failure.
 */
export async function followOrder(
  orderId: string,
  onStatus: (event: orders.OrderStatusEvent) => void,
  onError: (error: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  let delay = 1_000
  while (!signal.aborted) {
    try {
      const response = await authorizedFetch(`/orders/${encodeURIComponent(orderId)}/events`, {
        headers: { accept: 'text/event-stream' },
        signal,
      })
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
      const parse = createEventParser()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        for (const event of parse(value)) {
          if (event.event !== 'status') continue
          const status = JSON.parse(event.data) as orders.OrderStatusEvent
          onStatus(status)
          delay = 1_000
          if (finals.includes(status.status)) {
            await reader.cancel().catch(() => undefined)
            return
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return
      onError(error)
    }
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 15_000)
  }
}
