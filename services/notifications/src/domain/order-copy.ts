/*
 * What notifications keeps of a confirmed order (issue 18): enough to address and describe its
 * shipments, which name only variant ids. Pure.
 */

/** A line of the order as the shipment e-mail names it. */
export interface CopiedLine {
  productId: string
  /** The variant's id (the product's own for orders from before variants). */
  variantId: string
  name: string
  variantLabel?: string
}

export interface OrderCopy {
  orderId: string
  userId: string
  /** A guest's address (a guest has no account to look it up by); null for an account. */
  email: string | null
  /** A guest's signed link token (`/order-links/{token}`); null for an account. */
  orderLink: string | null
  lines: CopiedLine[]
  /** Shipment e-mails queued so far. */
  shipmentsMailed: number
}

/**
 * Where the shopper sees the order in the storefront at `base`: a guest's signed link, an
 * account's order page; none for a guest's order without a link (an account's page would not
 * open for them).
 */
export function orderPageLink(
  base: string,
  order: { orderId: string; orderLink?: string | null; email?: string | null },
): string | undefined {
  const root = base.replace(/\/+$/, '')
  if (order.orderLink) return `${root}/order-links/${encodeURIComponent(order.orderLink)}`
  if (order.email) return undefined
  return `${root}/orders/${encodeURIComponent(order.orderId)}`
}

/**
 * The shipped lines named from the order's copy: by variant id (or a product id that is one: the
 * first variant of an order from before variants), else `item <variantId>`.
 */
export function nameShippedLines(
  copied: readonly CopiedLine[],
  shipped: ReadonlyArray<{ productId: string; variantId: string; quantity: number }>,
): Array<{ name: string; variantLabel?: string; quantity: number }> {
  return shipped.map((line) => {
    const known =
      copied.find((c) => c.variantId === line.variantId) ??
      copied.find((c) => c.productId === line.productId && c.variantId === line.productId)
    return known
      ? {
          name: known.name,
          ...(known.variantLabel && { variantLabel: known.variantLabel }),
          quantity: line.quantity,
        }
      : { name: `item ${line.variantId}`, quantity: line.quantity }
  })
}
