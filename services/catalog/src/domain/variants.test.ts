import { describe, expect, it } from 'vitest'
import {
  checkNewVariants,
  checkProductOptions,
  checkVariantOptions,
  combinationKey,
  orderedOptions,
  priceBounds,
  variantLabel,
} from './variants.js'

const options = [
  { name: 'Size', values: ['S', 'M', 'L'] },
  { name: 'Colour', values: ['Black', 'Blue'] },
]

/** The code and field errors of what `run` throws. */
function problem(run: () => void) {
  try {
    run()
  } catch (error) {
    const e = error as { kind: string; code: string; details: { errors: unknown[] } }
    return { kind: e.kind, code: e.code, errors: e.details.errors }
  }
  throw new Error('did not throw')
}

describe('product options and variants', () => {
  it('takes options with unique names and values, ignoring case', () => {
    expect(() => checkProductOptions(options)).not.toThrow()
    expect(
      problem(() => checkProductOptions([...options, { name: 'size', values: ['XL'] }])),
    ).toEqual({
      kind: 'unprocessable',
      code: 'CATALOG.INVALID_OPTIONS',
      errors: [{ path: '/body/options/2/name', message: 'is repeated' }],
    })
    expect(
      problem(() => checkProductOptions([{ name: 'Size', values: ['S', 'M', 's'] }])).errors,
    ).toEqual([{ path: '/body/options/0/values/2', message: 'is repeated' }])
  })

  it("takes a variant with exactly one listed value of each of the product's options", () => {
    expect(() => checkVariantOptions(options, { Colour: 'Blue', Size: 'M' }, '/body')).not.toThrow()
    const wrong = problem(() =>
      checkVariantOptions(options, { Size: 'XXL', Material: 'Wool' }, '/body/variants/1'),
    )
    expect(wrong.kind).toBe('unprocessable')
    expect(wrong.code).toBe('CATALOG.INVALID_VARIANT_OPTIONS')
    expect(wrong.errors).toEqual([
      { path: '/body/variants/1/options/Size', message: 'must be one of S, M, L' },
      { path: '/body/variants/1/options', message: 'needs a value of Colour' },
      { path: '/body/variants/1/options/Material', message: 'is not an option of the product' },
    ])
    // Names are the object's own keys, not what every object inherits.
    const odd = [{ name: 'constructor', values: ['a'] }]
    expect(() => checkVariantOptions(odd, { constructor: 'a' }, '/body')).not.toThrow()
    expect(problem(() => checkVariantOptions(odd, {}, '/body')).errors).toEqual([
      { path: '/body/options', message: 'needs a value of constructor' },
    ])
    // A product without options has one variant, which chooses nothing.
    expect(() => checkVariantOptions([], {}, '/body')).not.toThrow()
    expect(problem(() => checkVariantOptions([], { Size: 'M' }, '/body')).code).toBe(
      'CATALOG.INVALID_VARIANT_OPTIONS',
    )
  })

  it('refuses two variants of the same values or the same SKU among new ones', () => {
    const variant = (sku: string, size: string, colour = 'Black') => ({
      sku,
      options: { Size: size, Colour: colour },
    })
    expect(() =>
      checkNewVariants(
        options,
        [variant('P', 'S'), variant('B', 'M'), variant('C', 'M', 'Blue')],
        'P',
      ),
    ).not.toThrow()
    expect(
      problem(() =>
        checkNewVariants(
          options,
          [variant('A', 'S'), { sku: 'B', options: { Colour: 'Black', Size: 'S' } }],
          'P',
        ),
      ),
    ).toMatchObject({
      code: 'CATALOG.DUPLICATE_VARIANT',
      errors: [{ path: '/body/variants/1/options' }],
    })
    expect(
      problem(() => checkNewVariants(options, [variant('A', 'S'), variant('A', 'M')], 'P')),
    ).toMatchObject({
      code: 'CATALOG.DUPLICATE_SKU',
      errors: [{ path: '/body/variants/1/sku' }],
    })
    // Only the first variant, which takes the product's id, may have the product's SKU.
    expect(
      problem(() => checkNewVariants(options, [variant('A', 'S'), variant('P', 'M')], 'P')),
    ).toMatchObject({ code: 'CATALOG.DUPLICATE_SKU', errors: [{ path: '/body/variants/1/sku' }] })
    // Without options, a second variant would repeat the first's (empty) choice.
    expect(
      problem(() =>
        checkNewVariants(
          [],
          [
            { sku: 'A', options: {} },
            { sku: 'B', options: {} },
          ],
          'P',
        ),
      ).code,
    ).toBe('CATALOG.DUPLICATE_VARIANT')
  })

  it('labels and orders a choice by the options, whatever order it came in', () => {
    const chosen = { Colour: 'Blue', Size: 'M' }
    expect(variantLabel(options, chosen)).toBe('M / Blue')
    expect(variantLabel([], {})).toBeUndefined()
    expect(Object.keys(orderedOptions(options, chosen))).toEqual(['Size', 'Colour'])
    expect(combinationKey(options, chosen)).toBe(
      combinationKey(options, { Size: 'M', Colour: 'Blue' }),
    )
    expect(combinationKey(options, chosen)).not.toBe(
      combinationKey(options, { Size: 'S', Colour: 'Blue' }),
    )
  })

  it("bounds a product's price by its cheapest and dearest variant", () => {
    expect(
      priceBounds([{ priceAmount: 1999 }, { priceAmount: 2299 }, { priceAmount: 1999 }]),
    ).toEqual({
      min: 1999,
      max: 2299,
    })
    expect(() => priceBounds([])).toThrow()
  })
})
