import { AppError } from '@emporium/platform/errors'

/** A zone's entry: a whole country, or one region of it. */
export interface ZoneEntry {
  country: string
  region?: string
}

/** Where an order goes, as far as its price depends on it. */
export interface Place {
  country: string
  region?: string
}

// Regions are typed by people ("Bavaria", "bavaria "): compared without case and outer spaces.
const sameRegion = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/**
 * Whether a destination is in a zone: an entry of its country with the same region, or one of
 * its country with no region (the whole country).
 */
export function zoneCovers(entries: readonly ZoneEntry[], place: Place): boolean {
  return entries.some(
    (entry) =>
      entry.country === place.country &&
      (entry.region === undefined ||
        (place.region !== undefined && sameRegion(entry.region, place.region))),
  )
}

/** A zone's entries as kept: each country and region once (400 `SHIPPING.DUPLICATE_COUNTRY`). */
export function checkZoneEntries(entries: readonly ZoneEntry[]): ZoneEntry[] {
  const seen = new Set<string>()
  return entries.map((entry, index) => {
    const region = entry.region?.trim()
    if (region !== undefined && region.length === 0) {
      throw new AppError('invalid', 'SHIPPING.INVALID_REGION', 'A region must not be blank.', {
        details: { errors: [{ path: `/body/countries/${index}/region`, message: 'is blank' }] },
      })
    }
    const key = `${entry.country}/${region?.toLowerCase() ?? ''}`
    if (seen.has(key)) {
      throw new AppError(
        'invalid',
        'SHIPPING.DUPLICATE_COUNTRY',
        `${entry.country}${region ? ` (${region})` : ''} is listed twice.`,
        { details: { errors: [{ path: `/body/countries/${index}`, message: 'listed twice' }] } },
      )
    }
    seen.add(key)
    return region === undefined ? { country: entry.country } : { country: entry.country, region }
  })
}
