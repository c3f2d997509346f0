/**
 * Fields of an event that never go to partners: `order.confirmed`'s `orderLink` is a guest's
 * credential (the token of `GET /order-links/{token}`, which shows the whole order with its
 * address), mailed to the guest alone; `cartVersion` is the cart's own bookkeeping.
 */
const withheld: Readonly<Record<string, readonly string[]>> = {
  'order.confirmed': ['orderLink', 'cartVersion'],
}

/** The event's data as partners receive it: without the fields `withheld` names for its type. */
export function partnerData(type: string, data: unknown): unknown {
  const fields = withheld[type]
  if (!fields || typeof data !== 'object' || data === null) return data
  return Object.fromEntries(Object.entries(data).filter(([key]) => !fields.includes(key)))
}

/**
 * The body of every delivery (Standard Webhooks): `{type, timestamp, data}`, `timestamp` when the
 * event happened, `data` as partners receive it (`partnerData`). Built once when the delivery is
 * stored, so every attempt and replay sends (and signs) the same bytes.
 */
export function payloadOf(type: string, occurredAt: Date, data: unknown): string {
  return JSON.stringify({
    type,
    timestamp: occurredAt.toISOString(),
    data: partnerData(type, data),
  })
}
