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
        price: { amount: 1200, currency: 'USD' },
        asOf: '2026-05-01T12:00:00.000Z',
      },
      { kind: 'deleted', productId: 'p1', asOf: '2026-05-01T12:00:00.000Z' },
    ])
  })
})
