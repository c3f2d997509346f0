import type { EventEnvelope } from '@emporium/contracts'
import type { Message, MessageProperties, Options } from 'amqplib'

/**
 * Headers the bus keeps on a failed message. `x-attempt` counts the attempts made so far, so a
 * delivery's attempt number is `x-attempt + 1` and a dead letter's attempt count is `x-attempt`.
 */
export const failureHeaders = {
  attempt: 'x-attempt',
  lastError: 'x-last-error',
  firstFailedAt: 'x-first-failed-at',
  deadLetteredAt: 'x-dead-lettered-at',
} as const

/** Properties of a freshly published event: persistent, identified and typed for tools. */
export function publishOptions(
  event: Pick<EventEnvelope, 'id' | 'type'> &
    Partial<Pick<EventEnvelope, 'correlationId' | 'source' | 'traceparent'>>,
): Options.Publish {
  return {
    persistent: true,
    contentType: 'application/json',
    messageId: event.id,
    type: event.type,
    correlationId: event.correlationId,
    appId: event.source,
    timestamp: Math.floor(Date.now() / 1000),
    headers: event.traceparent ? { traceparent: event.traceparent } : {},
  }
}

/** Properties for sending a received message on (to a retry queue, the DLQ or back). */
export function forwardOptions(
  properties: MessageProperties,
  headers: Record<string, unknown>,
): Options.Publish {
  return {
    persistent: true,
    contentType: properties.contentType ?? 'application/json',
    messageId: properties.messageId,
    type: properties.type,
    correlationId: properties.correlationId,
    appId: properties.appId,
    timestamp: properties.timestamp,
    headers,
  }
}

/** Headers of a message whose delivery `attempt` failed, before it is sent on. */
export function headersAfterFailure(
  message: Message,
  attempt: number,
  error: string,
  deadLettered: boolean,
): Record<string, unknown> {
  const now = new Date().toISOString()
  const previous = message.properties.headers ?? {}
  return {
    ...previous,
    [failureHeaders.attempt]: attempt,
    [failureHeaders.lastError]: error,
    [failureHeaders.firstFailedAt]: previous[failureHeaders.firstFailedAt] ?? now,
    ...(deadLettered ? { [failureHeaders.deadLetteredAt]: now } : {}),
  }
}

/** Headers of a replayed dead letter: its failure history goes, its trace context stays. */
export function headersForReplay(message: Message): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...message.properties.headers }
  for (const name of [...Object.values(failureHeaders), 'x-death', 'x-send-id']) {
    delete headers[name]
  }
  return headers
}

/** The attempt number of this delivery (1 for the first). */
export function attemptOf(message: Message): number {
  const made = Number(message.properties.headers?.[failureHeaders.attempt] ?? 0)
  return Number.isFinite(made) && made > 0 ? made + 1 : 1
}

/** Parses a message body; `undefined` when it is not a JSON object (a poison message). */
export function parseEnvelope(message: Message): EventEnvelope | undefined {
  try {
    const value: unknown = JSON.parse(message.content.toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as EventEnvelope)
      : undefined
  } catch {
    return undefined
  }
}
