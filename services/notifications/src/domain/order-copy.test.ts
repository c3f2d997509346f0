import { describe, expect, it } from 'vitest'
import { nameShippedLines, orderPageLink } from './order-copy.js'

describe('order copy', () => {
  it('links a guest to the signed link, an account to its order page', () => {
    expect(
      orderPageLink('https://shop.example/', {
        orderId: 'o-1',
        orderLink: 'abc.def',
        email: 'g@example.com',
      }),
    ).toBe('https://shop.example/order-links/abc.def')
    expect(orderPageLink('https://shop.example', { orderId: 'o-1' })).toBe(
      'https://shop.example/orders/o-1',
    )
    // A guest's order without a link: an account's page would not open for them.
    expect(orderPageLink('https://shop.example', { orderId: 'o-1', email: 'g@x.example' })).toBe(
      undefined,
    )
  })

  it('names shipped lines from the order’s copy, else by variant id', () => {
    const copied = [
      { productId: 'p-1', variantId: 'v-1', name: 'Tee', variantLabel: 'M / Blue' },
      { productId: 'p-2', variantId: 'p-2', name: 'Mug' },
    ]
    expect(
      nameShippedLines(copied, [
        { productId: 'p-1', variantId: 'v-1', quantity: 1 },
        { productId: 'p-2', variantId: 'p-2', quantity: 3 },
        { productId: 'p-3', variantId: 'v-3', quantity: 2 },
      ]),
    ).toEqual([
      { name: 'Tee', variantLabel: 'M / Blue', quantity: 1 },
      { name: 'Mug', quantity: 3 },
      { name: 'item v-3', quantity: 2 },
    ])
  })
})
