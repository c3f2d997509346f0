import type { shipping } from '@emporium/contracts'
import { quotesFor } from '../domain/quotes.js'
import type { QuoteSource } from './ports.js'

/** `POST /shipping/quotes`: what each method that ships there costs for the order. */
export function createQuoteShipping(deps: { source: QuoteSource }) {
  return async (body: shipping.QuoteBody): Promise<shipping.QuoteList> => {
    const { zones, methods } = await deps.source.zonesAndActiveMethods()
    const entries = new Map(zones.map((zone) => [zone.id, zone.countries]))
    return { quotes: quotesFor(entries, methods, body) }
  }
}
