import type { EventEnvelope } from '@emporium/contracts'
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core'

/**
 * Header names of a NATS message, the counterpart of the AMQP properties the RabbitMQ adapter
 * sets: the event's id and type (for tools that do not parse the body), its correlation id,
 * source and W3C trace context; and, on a dead letter, what failed.
 */
export const natsHeaderNames = {
  id: 'Emporium-Event-Id',
  type: 'Emporium-Event-Type',
  correlationId: 'Emporium-Correlation-Id',
  source: 'Emporium-Source',
  contentType: 'Content-Type',
  traceparent: 'traceparent',
  consumer: 'Emporium-Consumer',
  attempt: 'Emporium-Attempt',
  lastError: 'Emporium-Last-Error',
  deadLetteredAt: 'Emporium-Dead-Lettered-At',
} as const

const h = natsHeaderNames

/** Headers of a freshly published event. */
export function publishHeaders(
  event: Pick<EventEnvelope, 'id' | 'type'> &
    Partial<Pick<EventEnvelope, 'correlationId' | 'source' | 'traceparent'>>,
): MsgHdrs {
  const headers = natsHeaders()
  headers.set(h.contentType, 'application/json')
  headers.set(h.id, event.id)
  headers.set(h.type, event.type)
  if (event.correlationId) headers.set(h.correlationId, event.correlationId)
  if (event.source) headers.set(h.source, event.source)
  if (event.traceparent) headers.set(h.traceparent, event.traceparent)
  return headers
}

/** A header value on one line: NATS headers end at a line break. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ')
}

/** Headers of a dead letter: the original's, plus the consumer, attempts and last error. */
export function deadLetterHeaders(
  original: MsgHdrs | undefined,
  failure: { consumer: string; attempt: number; error: string },
): MsgHdrs {
  const headers = natsHeaders()
  for (const key of original?.keys() ?? []) {
    for (const value of original!.values(key)) headers.append(key, value)
  }
  headers.set(h.consumer, failure.consumer)
  headers.set(h.attempt, String(failure.attempt))
  headers.set(h.lastError, oneLine(failure.error))
  headers.set(h.deadLetteredAt, new Date().toISOString())
  return headers
}

/** Headers of a replayed dead letter: its failure history goes, its trace context stays. */
export function replayHeaders(original: MsgHdrs | undefined, consumer: string): MsgHdrs {
  const failure: readonly string[] = [h.attempt, h.lastError, h.deadLetteredAt]
  const headers = natsHeaders()
  for (const key of original?.keys() ?? []) {
    if (failure.includes(key)) continue
    for (const value of original!.values(key)) headers.append(key, value)
  }
  headers.set(h.consumer, consumer)
  return headers
}

/** Parses a message body; `undefined` when it is not a JSON object (a poison message). */
export function parseNatsEnvelope(data: Uint8Array): EventEnvelope | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as EventEnvelope)
      : undefined
  } catch {
    return undefined
  }
}
