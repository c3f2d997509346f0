import { priceOf, type MethodTerms, type Money, type Parcel } from './rates.js'
import { zoneCovers, type Place, type ZoneEntry } from './zones.js'

export interface QuotableMethod extends MethodTerms {
  id: string
  zoneId: string
  name: string
  carrier: string
  active: boolean
}

export interface Quote {
  methodId: string
  name: string
  carrier: string
  price: Money
  estimatedDays?: { min: number; max: number }
}

/**
 * The quotes for an order: each active method whose zone covers the destination and which
 * prices the parcel (its currency, a rate that applies), cheapest first (then by name and id,
 * so equal prices keep one order).
 */
export function quotesFor(
  zones: ReadonlyMap<string, readonly ZoneEntry[]>,
  methods: readonly QuotableMethod[],
  request: Parcel & { destination: Place },
): Quote[] {
  const quotes: Quote[] = []
  for (const method of methods) {
    if (!method.active) continue
    const entries = zones.get(method.zoneId)
    if (!entries || !zoneCovers(entries, request.destination)) continue
    const price = priceOf(method, request)
    if (!price) continue
    quotes.push({
      methodId: method.id,
      name: method.name,
      carrier: method.carrier,
      price,
      ...(method.estimatedDays ? { estimatedDays: method.estimatedDays } : {}),
    })
  }
  return quotes.sort(
    (a, b) =>
      a.price.amount - b.price.amount ||
      a.name.localeCompare(b.name) ||
      (a.methodId < b.methodId ? -1 : a.methodId > b.methodId ? 1 : 0),
  )
}
