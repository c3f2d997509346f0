import { describe, expect, it } from 'vitest'
import { setup } from './reservations-test-support.js'

describe('releaseReservation', () => {
  it('releases once', async () => {
    const t = setup()
    await t.reserve('o1', [{ productId: 'a', quantity: 2 }])
    expect((await t.release('o1')).status).toBe('released')
    expect((await t.release('o1')).status).toBe('released')
    expect(t.stock.a.reserved).toBe(0)
  })
})

describe('expireReservations', () => {
  it('expires holds past their time only', async () => {
    const t = setup()
    await t.reserve('old', [{ productId: 'a', quantity: 1 }])
    t.advance(600)
    await t.reserve('new', [{ productId: 'a', quantity: 1 }])
    t.advance(300)
    expect(await t.expire()).toBe(1)
    expect(t.fake.reservations.get('old')!.status).toBe('expired')
    expect(t.fake.reservations.get('new')!.status).toBe('held')
    expect(t.stock.a.reserved).toBe(1)
    expect(t.fake.events.at(-1)).toEqual({
      type: 'stock.released',
      data: { orderId: 'old', reason: 'expired' },
    })
  })
})
