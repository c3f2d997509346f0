import type { orders } from '@emporium/contracts'
import type { StatusChange } from '../app/ports.js'

/** Sent first: how long a client waits before reconnecting (with Last-Event-ID). */
export const retryFrame = 'retry: 2000\n\n'

/** A comment line: keeps proxies from timing the idle connection out. */
export const heartbeatFrame = ': ping\n\n'

/** One `status` event; its id is the change's seq, which the client sends back to resume. */
export function statusFrame(change: StatusChange): string {
  const data: orders.OrderStatusEvent = {
    orderId: change.orderId,
    status: change.status,
    cancellationReason: change.cancellationReason,
    at: change.at,
  }
  return `event: status\nid: ${change.seq}\ndata: ${JSON.stringify(data)}\n\n`
}

/** The Last-Event-ID a client sent back, when it is one of ours (a positive integer). */
export function lastEventIdOf(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\s*[1-9][0-9]{0,14}\s*$/.test(header)) return undefined
  return Number(header.trim())
}
