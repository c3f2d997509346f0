import type { Product } from '@emporium/sdk'
import { describe, expect, it } from 'vitest'
import { createProductBook } from './product-book.js'
import { createRandom } from './random.js'

const product = (id: string, name: string, available: number) =>
  ({
    id,
    name,
    available,
    price: { amount: 1999, currency: 'USD' },
    category: { id: 'c', name: 'C', slug: 'c' },
  }) as Product

describe('createProductBook', () => {
  it('offers products in stock to buy, and learns when one sells out', () => {
    const book = createProductBook(createRandom(5))
    book.remember([product('a', 'Oak Desk', 0), product('b', 'Cotton Shirt', 3)])
    for (let i = 0; i < 20; i++) expect(book.pickBuyable()?.id).toBe('b')
    book.soldOut('b')
    book.remember([product('a', 'Oak Desk', 2)])
    for (let i = 0; i < 20; i++) expect(book.pickBuyable()?.id).toBe('a')
    expect(book.pickBuyable(new Set(['a']))?.id).toBe('b') // sold out, but the only other one
    expect(book.size).toBe(2)
  })

  it('never offers a product of several variants for the cart, which needs the variant', () => {
    const book = createProductBook(createRandom(7))
    book.remember([
      { ...product('tee', 'Classic Tee', 9), variantCount: 12 },
      product('b', 'Mug', 3),
    ])
    for (let i = 0; i < 20; i++) expect(book.pickBuyable()?.id).toBe('b')
    book.soldOut('b')
    for (let i = 0; i < 20; i++) expect(book.pickBuyable()?.id).toBe('b')
  })

  it('searches for words of known names', () => {
    const book = createProductBook(createRandom(9))
    expect(book.searchTerm()).toBe('zzyzx')
    book.remember([product('a', 'Handmade Oak Desk', 1)])
    const terms = new Set(Array.from({ length: 200 }, () => book.searchTerm()))
    expect([...terms].every((t) => ['handmade', 'oak', 'desk', 'zzyzx'].includes(t))).toBe(true)
    expect(terms.has('desk')).toBe(true)
  })
})
