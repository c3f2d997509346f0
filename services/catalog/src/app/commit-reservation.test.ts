import { describe, expect, it } from 'vitest'
import { setup } from './reservations-test-support.js'

describe('commitReservation', () => {
  it('commits once; a committed reservation cannot be released', async () => {
    const t = setup()
    await t.reserve('o1', [{ productId: 'a', quantity: 2 }])
    await t.commit('o1')
    await t.commit('o1')
    expect(t.stock.a).toEqual({ onHand: 3, reserved: 0 })
    expect(t.fake.events.map((e) => e.type)).toEqual(['stock.reserved', 'stock.committed'])
    await expect(t.release('o1')).rejects.toMatchObject({ code: 'CATALOG.RESERVATION_COMMITTED' })
  })

  it('refuses a released reservation, and answers 404 for an unknown one', async () => {
    const t = setup()
    await t.reserve('o1', [{ productId: 'a', quantity: 2 }])
    await t.release('o1')
    await expect(t.commit('o1')).rejects.toMatchObject({ code: 'CATALOG.RESERVATION_NOT_HELD' })
    await expect(t.commit('nope')).rejects.toMatchObject({ kind: 'not_found' })
  })
})
