import { lineKey, type CartLine, type StoredCart } from './cart.js'

/**
 * How many settled order ids a cart remembers. A redelivery comes within seconds of the first
 * delivery (a crash between the cart's write and the inbox commit), long before a shopper could
 * place this many more orders.
 */
export const settledOrdersKept = 20

/** A line of a confirmed order, as far as the cart cares (no variant: the product's first). */
export interface OrderedLine {
  productId: string
  variantId?: string
  quantity: number
}

/** What settling an order does to a cart. */
export type Settlement =
  /** Write these lines and this settled list. */
  | { kind: 'settled'; lines: CartLine[]; settledOrderIds: string[] }
  /** The order was settled already (a redelivery): leave the cart as it is. */
  | { kind: 'already_settled' }
  /** None of the order's products is in the cart any more (the shopper took them out). */
  | { kind: 'nothing_to_settle' }

/**
 * Takes out of the cart what a confirmed order bought, and only that: each ordered quantity is
 * subtracted from the cart's line of that variant, a line reaching 0 is dropped, and anything
 * else (a product added since the order, units added to an ordered line) stays. `cartVersion` is
 * the cart's version the order was placed from: a line put in the cart by a later write (the
 * shopper took the ordered line out and added the product again before the confirmation came)
 * is not the ordered one and stays whole; without it (an order placed before orders recorded
 * it) every line of an ordered variant is settled, as before. An order the
 * cart already settled changes nothing, so that applying the same confirmation twice subtracts
 * once. The order id joins the settled list (the last `settledOrdersKept`) only when something
 * was subtracted: when nothing was, a second application has nothing to repeat either.
 */
export function settleOrder(
  cart: StoredCart,
  orderId: string,
  ordered: readonly OrderedLine[],
  cartVersion?: number,
): Settlement {
  if (cart.settledOrderIds.includes(orderId)) return { kind: 'already_settled' }
  const bought = new Map<string, number>()
  for (const line of ordered) {
    bought.set(lineKey(line), (bought.get(lineKey(line)) ?? 0) + line.quantity)
  }
  let touched = false
  const lines: CartLine[] = []
  for (const line of cart.lines) {
    const take = bought.get(lineKey(line))
    const addedSince = cartVersion !== undefined && (line.since ?? 0) > cartVersion
    if (take === undefined || take <= 0 || addedSince) {
      lines.push(line)
      continue
    }
    touched = true
    const left = line.quantity - take
    if (left > 0) lines.push({ ...line, quantity: left })
  }
  if (!touched) return { kind: 'nothing_to_settle' }
  return {
    kind: 'settled',
    lines,
    settledOrderIds: [...cart.settledOrderIds, orderId].slice(-settledOrdersKept),
  }
}
