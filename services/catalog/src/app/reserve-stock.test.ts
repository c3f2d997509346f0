import { describe, expect, it } from 'vitest'
import { createCancelReservation } from './cancel-reservation.js'
import { createCommitReservation } from './commit-reservation.js'
import { createFakeReservations } from './fakes-test-support.js'
import { createExpireReservations, createReleaseReservation } from './release-reservation.js'
import { createReserveStock } from './reserve-stock.js'

function setup() {
  let now = new Date('2026-03-01T10:00:00Z')
  const stock = { a: { onHand: 5, reserved: 0 }, b: { onHand: 1, reserved: 0 } }
  const fake = createFakeReservations(stock)
  const deps = { reservations: fake.store, now: () => now }
  return {
    stock,
    fake,
    advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)),
    reserve: createReserveStock({ ...deps, ttlSeconds: 900 }),
    commit: createCommitReservation(deps),
    release: createReleaseReservation(deps),
    expire: createExpireReservations(deps),
    cancel: createCancelReservation(deps),
  }
}

describe('reservation use cases', () => {
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
    await t.commit('o1')
    await t.commit('o1')
    expect(t.stock.a).toEqual({ onHand: 3, reserved: 0 })
    expect(t.fake.events.map((e) => e.type)).toEqual(['stock.reserved', 'stock.committed'])
    await expect(t.release('o1')).rejects.toMatchObject({ code: 'CATALOG.RESERVATION_COMMITTED' })
  })

  it('releases once; a released reservation cannot be committed', async () => {
    const t = setup()
    await t.reserve('o1', [{ productId: 'a', quantity: 2 }])
    expect((await t.release('o1')).status).toBe('released')
    expect((await t.release('o1')).status).toBe('released')
    expect(t.stock.a.reserved).toBe(0)
    await expect(t.commit('o1')).rejects.toMatchObject({ code: 'CATALOG.RESERVATION_NOT_HELD' })
    await expect(t.commit('nope')).rejects.toMatchObject({ kind: 'not_found' })
  })

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
