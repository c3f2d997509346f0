import { describe, expect, it } from 'vitest'
import { setup } from './reservations-test-support.js'

describe('reserveStock', () => {
  it('holds all lines, merged and sorted, with an expiry', async () => {
    const t = setup()
    const result = await t.reserve('o1', [
      { productId: 'b', quantity: 1 },
      { productId: 'a', quantity: 1 },
      { productId: 'a', quantity: 1 },
    ])
    expect(result).toEqual({
      orderId: 'o1',
      status: 'held',
      expiresAt: '2026-03-01T10:15:00.000Z',
      lines: [
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 1 },
      ],
      shortLines: [],
    })
    expect(t.stock).toEqual({ a: { onHand: 5, reserved: 2 }, b: { onHand: 1, reserved: 1 } })
  })

  it('holds nothing when one line falls short, and says which', async () => {
    const t = setup()
    const result = await t.reserve('o1', [
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: 2 },
    ])
    expect(result.status).toBe('rejected')
    expect(result.shortLines).toEqual([{ productId: 'b', requested: 2, available: 1 }])
    expect(t.stock.a.reserved).toBe(0)
  })

  it('is idempotent per order id', async () => {
    const t = setup()
    const first = await t.reserve('o1', [{ productId: 'a', quantity: 2 }])
    expect(await t.reserve('o1', [{ productId: 'a', quantity: 2 }])).toEqual(first)
    expect(t.stock.a.reserved).toBe(2)
    expect(t.fake.events.map((e) => e.type)).toEqual(['stock.reserved'])
  })
})
