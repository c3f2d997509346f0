import { describe, expect, it } from 'vitest'
import { createPrng, generateDemoCatalog } from './demo-catalog.js'
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
