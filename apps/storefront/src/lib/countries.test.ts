import { describe, expect, it } from 'vitest'
import { countryCodes, countryName, countryOptions, isCountryCode } from './countries'

describe('countries', () => {
  it('lists every ISO 3166-1 alpha-2 code once, each with a name', () => {
    expect(countryCodes).toHaveLength(249)
    expect(new Set(countryCodes).size).toBe(249)
    for (const code of countryCodes) expect(code).toMatch(/^[A-Z]{2}$/)
    expect(countryName('DE')).toBe('Germany')
    expect(countryName('US')).toBe('United States')
    expect(isCountryCode('FR')).toBe(true)
    expect(isCountryCode('XX')).toBe(false)
    expect(isCountryCode('us')).toBe(false)
  })

  it('offers them by name, keeping a code from before that the list lacks', () => {
    const names = countryOptions().map((option) => option.name)
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')))
    expect(countryOptions()).toHaveLength(249)
    expect(countryOptions('XK').at(-1)).toEqual({ code: 'XK', name: 'Kosovo' })
    expect(countryOptions('GB')).toHaveLength(249)
  })
})
