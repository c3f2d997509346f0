/** The tax class of a product that names none, and the fallback of every other class. */
export const STANDARD_TAX_CLASS = 'standard'

/** One admin-managed rate: a country's (region null) or one of its regions', for a tax class. */
export interface TaxRate {
  country: string
  /** A region of the country (a state, a province); null: the whole country. */
  region: string | null
  taxClass: string
  /** 2000 = 20 %. */
  rateBasisPoints: number
}

/** Where an order ships to, as far as tax goes. */
export interface TaxDestination {
  country: string
  region?: string | null
}

/**
 * The rate, in basis points, of a product of `taxClass` shipped to `destination`:
 * 1. the destination region's rate of the class, else the country's (region null);
 * 2. a class with no rate at the destination falls back to the destination's `standard` rate,
 *    the region's before the country's;
 * 3. no rate at all: 0 (the shop does not collect tax there).
 * Countries compare in upper case, regions trimmed and case-insensitively ("ca" is "CA").
 */
export function rateFor(
  rates: readonly TaxRate[],
  destination: TaxDestination,
  taxClass: string,
): number {
  const country = destination.country.toUpperCase()
  const region = normalizeRegion(destination.region)
  const find = (cls: string, inRegion: string | null) =>
    rates.find(
      (r) =>
        r.country.toUpperCase() === country &&
        r.taxClass === cls &&
        normalizeRegion(r.region) === inRegion,
    )
  const classes = taxClass === STANDARD_TAX_CLASS ? [taxClass] : [taxClass, STANDARD_TAX_CLASS]
  for (const cls of classes) {
    const rate = (region !== null ? find(cls, region) : undefined) ?? find(cls, null)
    if (rate) return rate.rateBasisPoints
  }
  return 0
}

function normalizeRegion(region: string | null | undefined): string | null {
  const trimmed = region?.trim().toUpperCase()
  return trimmed ? trimmed : null
}
