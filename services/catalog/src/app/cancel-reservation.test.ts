import { describe, expect, it } from 'vitest'
import { setup } from './reservations-test-support.js'

describe('cancelReservation', () => {
  it('cancels: a tombstone first, then the placement holds nothing', async () => {
    const t = setup()
    expect((await t.cancel('o1')).action).toBe('tombstone')
    expect(await t.reserve('o1', [{ productId: 'a', quantity: 1 }])).toMatchObject({
      status: 'released',
      lines: [],
    })
    expect(t.stock.a.reserved).toBe(0)
    expect((await t.cancel('o1')).action).toBe('noop')
    expect(t.fake.events).toEqual([])
  })

  it('cancels a hold by releasing it, and committed units by restocking them', async () => {
    const t = setup()
    await t.reserve('held', [{ productId: 'a', quantity: 2 }])
    expect(await t.cancel('held')).toMatchObject({
      action: 'release',
      reservation: { status: 'released' },
    })
    await t.reserve('sold', [{ productId: 'a', quantity: 3 }])
    await t.commit('sold')
    expect(t.stock.a).toEqual({ onHand: 2, reserved: 0 })
    expect(await t.cancel('sold')).toMatchObject({
      action: 'restock',
      reservation: { status: 'restocked' },
    })
    expect(t.stock.a).toEqual({ onHand: 5, reserved: 0 })
    expect((await t.cancel('sold')).action).toBe('noop')
    await expect(t.commit('sold')).rejects.toMatchObject({ code: 'CATALOG.RESERVATION_NOT_HELD' })
    // Releasing a restocked reservation changes nothing.
    expect((await t.release('sold')).status).toBe('restocked')
    expect(t.fake.events.map((e) => e.type)).toEqual([
      'stock.reserved',
      'stock.released',
      'stock.reserved',
      'stock.committed',
      'stock.restocked',
    ])
  })
})
