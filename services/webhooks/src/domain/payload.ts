/**
 * The body of every delivery (Standard Webhooks): `{type, timestamp, data}`, `timestamp` when the
 * event happened. Built once when the delivery is stored, so every attempt and replay sends (and
 * signs) the same bytes.
 */
export function payloadOf(type: string, occurredAt: Date, data: unknown): string {
  return JSON.stringify({ type, timestamp: occurredAt.toISOString(), data })
}
