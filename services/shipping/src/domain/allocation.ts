/** A line of an order as the shipping service keeps it. */
export interface OrderLine {
  productId: string
  variantId: string
  quantity: number
  /** How many of it are shipped so far. */
  shipped: number
}

export interface RequestedLine {
  variantId: string
  quantity: number
}

export interface ShippedLine {
  productId: string
  variantId: string
  quantity: number
}

/** Why nothing can be shipped of what was asked. */
export type AllocationFailure =
  | { reason: 'nothing_to_ship' }
  | { reason: 'not_in_order'; variantId: string }
  | { reason: 'exceeds_order'; variantId: string; requested: number; remaining: number }

export type Allocation =
  { ok: true; lines: ShippedLine[]; complete: boolean } | ({ ok: false } & AllocationFailure)

/**
 * What a shipment takes of an order: each asked line must be one of the order's (by variant; the
 * same variant asked twice counts once, summed) and at most what is not shipped yet. `complete`
 * says every line of the order is shipped with it.
 */
export function allocate(
  order: readonly OrderLine[],
  requested: readonly RequestedLine[],
): Allocation {
  if (order.every((line) => line.shipped >= line.quantity)) {
    return { ok: false, reason: 'nothing_to_ship' }
  }
  const asked = new Map<string, number>()
  for (const line of requested) {
    asked.set(line.variantId, (asked.get(line.variantId) ?? 0) + line.quantity)
  }
  const lines: ShippedLine[] = []
  for (const [variantId, quantity] of asked) {
    const line = order.find((l) => l.variantId === variantId)
    if (!line) return { ok: false, reason: 'not_in_order', variantId }
    const remaining = line.quantity - line.shipped
    if (quantity > remaining) {
      return { ok: false, reason: 'exceeds_order', variantId, requested: quantity, remaining }
    }
    lines.push({ productId: line.productId, variantId, quantity })
  }
  const complete = order.every(
    (line) => line.shipped + (asked.get(line.variantId) ?? 0) >= line.quantity,
  )
  return { ok: true, lines, complete }
}
