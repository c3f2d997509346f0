import { describe, expect, it } from 'vitest'
import { createPrng, demoVariants, generateDemoCatalog } from './demo-catalog.js'
import { checkVariantOptions } from './variants.js'
import { productImageSvg } from './product-image.js'

describe('demo catalog', () => {
  it('is the same for the same seed, and different for another', () => {
    const a = generateDemoCatalog({ seed: 7 })
    expect(generateDemoCatalog({ seed: 7 })).toEqual(a)
    expect(generateDemoCatalog({ seed: 8 }).products[0]!.name).not.toBe(a.products[0]!.name)
  })

  it('has about 1,000 plausible products over 12 categories', () => {
    const { categories, products } = generateDemoCatalog()
    expect(categories).toHaveLength(12)
    expect(products.length).toBeGreaterThanOrEqual(950)
    expect(products.length).toBeLessThanOrEqual(1050)
    expect(new Set(products.map((p) => p.sku)).size).toBe(products.length)
    expect(new Set(products.map((p) => p.id)).size).toBe(products.length)
    for (const p of products) {
      expect(Number.isInteger(p.priceAmount)).toBe(true)
      expect(p.priceAmount).toBeGreaterThan(0)
      expect(p.onHand).toBeGreaterThanOrEqual(0)
    }
    expect(new Set(products.map((p) => p.categoryId)).size).toBe(12)
    expect(products.some((p) => p.onHand === 0)).toBe(true)
  })

  it('has a few products with options, each variant a distinct choice with its own SKU', () => {
    const { products } = generateDemoCatalog()
    const withOptions = products.filter((p) => p.options)
    expect(withOptions.length).toBeGreaterThanOrEqual(3)
    const skus = new Set(products.map((p) => p.sku))
    for (const p of withOptions) {
      const variants = demoVariants(p)
      expect(variants[0]!.id).toBe(p.id)
      expect(variants.length).toBe(p.options!.reduce((n, o) => n * o.values.length, 1))
      for (const v of variants) {
        expect(() => checkVariantOptions(p.options!, v.options, '/')).not.toThrow()
        expect(skus.has(v.sku) && v.sku !== p.sku).toBe(false)
        skus.add(v.sku)
      }
      expect(new Set(variants.map((v) => JSON.stringify(v.options))).size).toBe(variants.length)
      expect(p.priceAmount).toBe(Math.min(...variants.map((v) => v.priceAmount)))
      // The oldest products: the generated ones keep the top of the newest.
      expect(p.createdAt < products[0]!.createdAt).toBe(true)
    }
    // The T-shirt's XL costs more, and one of its choices is sold out.
    const tee = withOptions.find((p) => p.sku === 'CLO-TEE')!
    const prices = new Set(demoVariants(tee).map((v) => v.priceAmount))
    expect(prices.size).toBe(2)
    expect(demoVariants(tee).some((v) => v.onHand === 0)).toBe(true)
    // A product without options is its own one variant.
    const plain = products.find((p) => !p.options)!
    expect(demoVariants(plain)).toEqual([
      {
        id: plain.id,
        sku: plain.sku,
        options: {},
        priceAmount: plain.priceAmount,
        onHand: plain.onHand,
      },
    ])
  })

  it('has a PRNG in [0, 1)', () => {
    const random = createPrng(1)
    for (let i = 0; i < 1000; i++) {
      const x = random()
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
    }
  })

  it('draws an SVG that escapes the name', () => {
    const svg = productImageSvg({ sku: 'A-1', name: 'Tom & <Jerry> "Mug"' })
    expect(svg).toMatch(/^<svg /)
    expect(svg).not.toContain('<Jerry>')
    expect(svg).toContain('&#38;')
  })
})
