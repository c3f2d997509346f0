import type { catalog } from '@emporium/contracts'
import { describe, expect, it } from 'vitest'
import {
  decimalAmount,
  escapeHtml,
  missingProductHead,
  productHead,
  scriptJson,
  summary,
  withHead,
} from './product-head.js'

const product: catalog.Product = {
  id: 'p-1',
  sku: 'MUG-1',
  name: 'Stoneware mug',
  description: 'A mug.',
  price: { amount: 3499, currency: 'USD' },
  category: { id: 'c-1', name: 'Kitchen', slug: 'kitchen' },
  imageUrl: '/images/mug.svg',
  available: 3,
  createdAt: '2026-12-01T00:00:00Z',
}

const index = '<html><head><title>Emporium</title></head><body></body></html>'

describe('a product page head', () => {
  it('escapes what would close an attribute, an element or a script block', () => {
    expect(escapeHtml(`"a" & 'b' <c>`)).toBe('&#34;a&#34; &#38; &#39;b&#39; &#60;c&#62;')
    const json = scriptJson({ name: '</script><script>alert(1)</script>&\u2028' })
    expect(json).not.toMatch(/[<>&\u2028]/)
    expect(JSON.parse(json)).toEqual({ name: '</script><script>alert(1)</script>&\u2028' })
  })

  it('trims a description to about 160 characters at a word, on one line', () => {
    const long = `${'word '.repeat(60)}end`
    const short = summary(long)
    expect(short.length).toBeLessThanOrEqual(160)
    expect(short.endsWith('word…')).toBe(true)
    expect(summary('two\n\nlines  here')).toBe('two lines here')
  })

  it('writes prices as schema.org decimals in the currency minor units', () => {
    expect(decimalAmount({ amount: 3499, currency: 'USD' })).toBe('34.99')
    expect(decimalAmount({ amount: 500, currency: 'JPY' })).toBe('500')
    expect(decimalAmount({ amount: 5, currency: 'USD' })).toBe('0.05')
  })

  it('gives absolute URLs under the origin, and none at all without one', () => {
    const head = productHead(product, 'https://shop.example')
    const html = head.tags.join('\n')
    expect(html).toContain('<link rel="canonical" href="https://shop.example/products/p-1"')
    expect(html).toContain('content="https://shop.example/images/mug.svg"')
    const bare = productHead(product, undefined).tags.join('\n')
    expect(bare).not.toMatch(/canonical|og:url|og:image|"url"|"image"/)
    expect(bare).toContain('og:title')
    const silent = productHead({ ...product, description: ' ' }, undefined).tags.join('\n')
    expect(silent).not.toMatch(/description/)
  })

  it('offers a price range of variants as an AggregateOffer', () => {
    const head = productHead(
      {
        ...product,
        variantCount: 3,
        available: 0,
        priceRange: { min: product.price, max: { amount: 4999, currency: 'USD' } },
      },
      'https://shop.example',
    )
    const script = head.tags.find((tag) => tag.includes('ld+json'))!
    const data = JSON.parse(script.replace(/^<script[^>]*>|<\/script>$/g, ''))
    expect(data.offers).toMatchObject({
      '@type': 'AggregateOffer',
      lowPrice: '34.99',
      highPrice: '49.99',
      offerCount: 3,
      availability: 'https://schema.org/OutOfStock',
    })
  })

  it('replaces the title and adds the tags before </head>, `$` patterns taken literally', () => {
    const html = withHead(index, productHead({ ...product, name: "$& $' mug" }, undefined))
    expect(html).toContain('<title>$&#38; $&#39; mug · Emporium</title>')
    expect(html.match(/<title>/g)).toHaveLength(1)
    expect(html.indexOf('og:title')).toBeLessThan(html.indexOf('</head>'))
    expect(withHead(index, missingProductHead())).toContain(
      '<title>Product not found · Emporium</title>',
    )
  })
})
