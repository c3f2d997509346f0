import { describe, expect, it } from 'vitest'
import { isAppError } from '@emporium/platform/errors'
import { checkZoneEntries, zoneCovers } from './zones.js'

describe('zoneCovers', () => {
  const zone = [{ country: 'DE' }, { country: 'US', region: 'California' }]

  it('covers a whole country, with or without a region in the destination', () => {
    expect(zoneCovers(zone, { country: 'DE' })).toBe(true)
    expect(zoneCovers(zone, { country: 'DE', region: 'Bavaria' })).toBe(true)
  })

  it('covers a region entry only for that region (case and outer spaces aside)', () => {
    expect(zoneCovers(zone, { country: 'US', region: 'California' })).toBe(true)
    expect(zoneCovers(zone, { country: 'US', region: ' california ' })).toBe(true)
    expect(zoneCovers(zone, { country: 'US', region: 'Oregon' })).toBe(false)
    expect(zoneCovers(zone, { country: 'US' })).toBe(false)
    // A blank region is an address without one: the country alone.
    expect(zoneCovers(zone, { country: 'US', region: '' })).toBe(false)
    expect(zoneCovers(zone, { country: 'DE', region: '' })).toBe(true)
  })

  it('does not cover another country', () => {
    expect(zoneCovers(zone, { country: 'FR' })).toBe(false)
    expect(zoneCovers(zone, { country: 'CA', region: 'California' })).toBe(false)
  })
})

describe('checkZoneEntries', () => {
  const code = (run: () => unknown) => {
    try {
      run()
    } catch (error) {
      return isAppError(error) ? `${error.status} ${error.code}` : String(error)
    }
    return 'passed'
  }

  it('keeps distinct entries, trimming regions', () => {
    expect(
      checkZoneEntries([
        { country: 'US', region: ' Texas ' },
        { country: 'US' },
        { country: 'DE' },
      ]),
    ).toEqual([{ country: 'US', region: 'Texas' }, { country: 'US' }, { country: 'DE' }])
  })

  it('refuses a country or a region listed twice, and a blank region', () => {
    expect(code(() => checkZoneEntries([{ country: 'DE' }, { country: 'DE' }]))).toBe(
      '400 SHIPPING.DUPLICATE_COUNTRY',
    )
    expect(
      code(() =>
        checkZoneEntries([
          { country: 'US', region: 'Texas' },
          { country: 'US', region: 'texas' },
        ]),
      ),
    ).toBe('400 SHIPPING.DUPLICATE_COUNTRY')
    expect(code(() => checkZoneEntries([{ country: 'US', region: '  ' }]))).toBe(
      '400 SHIPPING.INVALID_REGION',
    )
  })
})
