import { catalog, type EventEnvelope } from '@emporium/contracts'
import { describe, expect, it } from 'vitest'
import type { PriceChange } from '../app/ports.js'
import { onProductDeleted, onProductUpdated } from './on-product-changed.js'

// Contract: fixtures validated against the producer's schemas, then handled.
const envelope = (type: string, data: unknown): EventEnvelope => ({
  id: 'e1',
  type,
  version: 1,
  occurredAt: '2026-05-01T12:00:00.000Z',
  source: 'catalog',
  correlationId: 'c1',
  causationId: null,
  data,
})

describe('catalog event consumers', () => {
  const applied: PriceChange[] = []
  const pricesIn = () => ({ apply: async (change: PriceChange) => void applied.push(change) })
  const trx = {} as never

  it('records a product.updated as a dated price change', async () => {
    const event = envelope('product.updated', {
      productId: 'p1',
      sku: 'S1',
      name: 'Lamp',
      price: { amount: 1200, currency: 'USD' },
      categoryId: 'c',
      imageUrl: '/i.svg',
      previousPrice: { amount: 1500, currency: 'USD' },
      somethingNew: true,
    })
    const parsed = catalog.ProductUpdated.parse(event)
    if (!parsed.ok) throw new Error(parsed.errors.join())
    await onProductUpdated({ pricesIn })(parsed.data, { trx, envelope: event })
    const deleted = envelope('product.deleted', { productId: 'p1' })
    const gone = catalog.ProductDeleted.parse(deleted)
    if (!gone.ok) throw new Error(gone.errors.join())
    await onProductDeleted({ pricesIn })(gone.data, { trx, envelope: deleted })
    expect(applied).toEqual([
      {
        kind: 'updated',
        productId: 'p1',
        name: 'Lamp',
        // An event from before variants: the product's price is its one variant's.
        variants: [{ variantId: 'p1', price: { amount: 1200, currency: 'USD' } }],
        asOf: '2026-05-01T12:00:00.000Z',
      },
      { kind: 'deleted', productId: 'p1', asOf: '2026-05-01T12:00:00.000Z' },
    ])
  })

  it("records each variant's price and label from a product.updated with variants", async () => {
    const event = envelope('product.updated', {
      productId: 'tee',
      sku: 'TEE',
      name: 'Tee',
      price: { amount: 1999, currency: 'USD' },
      categoryId: 'c',
      imageUrl: '/i.svg',
      variants: [
        { variantId: 'tee', sku: 'TEE-S', price: { amount: 1999, currency: 'USD' }, label: 'S' },
        {
          variantId: 'tee-xl',
          sku: 'TEE-XL',
          price: { amount: 2299, currency: 'USD' },
          label: 'XL',
          options: { Size: 'XL' },
        },
      ],
    })
    const parsed = catalog.ProductUpdated.parse(event)
    if (!parsed.ok) throw new Error(parsed.errors.join())
    applied.length = 0
    await onProductUpdated({ pricesIn })(parsed.data, { trx, envelope: event })
    expect(applied).toEqual([
      {
        kind: 'updated',
        productId: 'tee',
        name: 'Tee',
        variants: [
          { variantId: 'tee', label: 'S', price: { amount: 1999, currency: 'USD' } },
          { variantId: 'tee-xl', label: 'XL', price: { amount: 2299, currency: 'USD' } },
        ],
        asOf: '2026-05-01T12:00:00.000Z',
      },
    ])
  })

  it('takes a product back to draft as a deletion, and its publication as an update', async () => {
    const product = {
      productId: 'p2',
      sku: 'S2',
      name: 'Lamp',
      price: { amount: 900, currency: 'USD' },
      categoryId: 'c',
      imageUrl: '/i.svg',
    }
    applied.length = 0
    for (const status of ['draft', 'published']) {
      const event = envelope('product.updated', { ...product, status })
      const parsed = catalog.ProductUpdated.parse(event)
      if (!parsed.ok) throw new Error(parsed.errors.join())
      await onProductUpdated({ pricesIn })(parsed.data, { trx, envelope: event })
    }
    expect(applied.map((change) => change.kind)).toEqual(['deleted', 'updated'])
    expect(applied[0]).toEqual({
      kind: 'deleted',
      productId: 'p2',
      asOf: '2026-05-01T12:00:00.000Z',
    })
  })
})
