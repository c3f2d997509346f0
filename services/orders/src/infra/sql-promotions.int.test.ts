import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { createOutbox, migrate, openDatabase, type Database } from '@emporium/platform'
import { isAppError } from '@emporium/platform/errors'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import * as promotionsMigration from '../../migrations/007-promotions.js'
import type { PromotionDefinition } from '../domain/promotion.js'
import type { PromotionCatalog } from '../app/promotion-ports.js'
import type { PromotionTables } from './promotion-tables.js'
import { createSqlPromotionCatalog, promotionUsesIn } from './sql-promotions.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const now = new Date('2026-12-03T12:00:00.000Z')

function definition(overrides: Partial<PromotionDefinition> = {}): PromotionDefinition {
  return {
    code: `P${randomUUID().slice(0, 8).toUpperCase()}`,
    offer: { kind: 'percentage', percent: 10 },
    minSubtotal: null,
    startsAt: null,
    endsAt: null,
    usageLimit: null,
    perCustomerLimit: null,
    active: true,
    ...overrides,
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return error.code
    throw error
  }
  return 'ok'
}

// The promotion uses as the orders service keeps them: on PostgreSQL (where reservations race
// over a pool of connections) and PGlite (embedded: one connection).
describe.each(['postgres', 'pglite'] as const)('SQL promotions on %s', (kind) => {
  let test: TestDatabase
  let database: Database
  /** A second handle with many connections, for the races (PostgreSQL). */
  let racing: Database
  let catalog: PromotionCatalog

  beforeAll(async () => {
    test = await createTestDatabase(kind)
    database = test.database
    await migrate(database, { migrations: { '007-promotions': promotionsMigration } })
    racing = kind === 'postgres' ? await openDatabase(test.url, { poolSize: 20 }) : database
    catalog = createSqlPromotionCatalog(database, createOutbox({ source: 'orders' }))
  })
  afterAll(async () => {
    if (racing !== database) await racing?.close()
    await test?.drop()
  })

  /** One order's transaction reserving `code`; resolves to its error code or 'ok'. */
  function reserve(
    code: string,
    orderId: string = randomUUID(),
    customerId: string = randomUUID(),
    subtotal = usd(10_000),
    on: Database = database,
  ) {
    return (on.db as Kysely<PromotionTables>)
      .transaction()
      .execute((trx) => promotionUsesIn(trx).reserve({ code, orderId, customerId, subtotal, now }))
  }
  const inTx = <T>(fn: (uses: ReturnType<typeof promotionUsesIn>) => Promise<T>) =>
    (database.db as Kysely<PromotionTables>)
      .transaction()
      .execute((trx) => fn(promotionUsesIn(trx, { now: () => now })))

  it('reserves a use with its discount, whatever the case typed; refuses unknown codes alike', async () => {
    const promotion = await catalog.create(definition({ code: 'WINTER15' }), now)
    const applied = await reserve(' winter15 ', 'o-case')
    expect(applied).toEqual({ promotionId: promotion.id, code: 'WINTER15', discount: usd(1000) })
    expect(await catalog.find(promotion.id)).toMatchObject({ uses: 0, reserved: 1 })
    expect(await codeOf(reserve('NOPE-NOPE'))).toBe('ORDERS.PROMOTION_NOT_FOUND')
    expect(await codeOf(reserve('?'))).toBe('ORDERS.PROMOTION_NOT_FOUND')
    await catalog.update(promotion.id, { active: false }, now)
    expect(await codeOf(reserve('WINTER15'))).toBe('ORDERS.PROMOTION_NOT_FOUND')
  })

  it('applies every rule: window, minimum, currency', async () => {
    const later = await catalog.create(definition({ startsAt: new Date(now.getTime() + 1) }), now)
    expect(await codeOf(reserve(later.code))).toBe('ORDERS.PROMOTION_NOT_STARTED')
    const ended = await catalog.create(definition({ endsAt: now }), now)
    expect(await codeOf(reserve(ended.code))).toBe('ORDERS.PROMOTION_EXPIRED')
    const min = await catalog.create(definition({ minSubtotal: usd(20_000) }), now)
    expect(await codeOf(reserve(min.code))).toBe('ORDERS.PROMOTION_MINIMUM_NOT_MET')
    const fixed = await catalog.create(
      definition({ offer: { kind: 'fixed', amount: usd(500) } }),
      now,
    )
    const eur = { amount: 10_000, currency: 'EUR' }
    expect(await codeOf(reserve(fixed.code, undefined, undefined, eur))).toBe(
      'ORDERS.PROMOTION_CURRENCY',
    )
    // A refused reservation leaves no use behind.
    for (const p of [later, ended, min, fixed]) {
      expect(await catalog.find(p.id)).toMatchObject({ uses: 0, reserved: 0 })
    }
  })

  it('is idempotent per order, and refuses an order holding another promotion', async () => {
    const once = await catalog.create(definition({ usageLimit: 1 }), now)
    const other = await catalog.create(definition(), now)
    const first = await reserve(once.code, 'o-idem', 'c1', usd(999))
    // Again for the same order: the same answer, though the limit is reached now.
    expect(await reserve(once.code, 'o-idem', 'c1', usd(999))).toEqual(first)
    expect(first.discount).toEqual(usd(100))
    expect(await catalog.find(once.id)).toMatchObject({ reserved: 1 })
    expect(await codeOf(reserve(once.code))).toBe('ORDERS.PROMOTION_EXHAUSTED')
    expect(await codeOf(reserve(other.code, 'o-idem'))).toBe('ORDERS.PROMOTION_USE_CONFLICT')
  })

  it('spends at confirmation and gives back at cancellation, each idempotent', async () => {
    const promotion = await catalog.create(definition({ usageLimit: 2 }), now)
    await reserve(promotion.code, 'o-a')
    await reserve(promotion.code, 'o-b')
    expect(await codeOf(reserve(promotion.code))).toBe('ORDERS.PROMOTION_EXHAUSTED')

    await inTx((uses) => uses.spend('o-a'))
    await inTx((uses) => uses.spend('o-a'))
    await inTx((uses) => uses.spend('o-none'))
    expect(await catalog.find(promotion.id)).toMatchObject({ uses: 1, reserved: 1 })

    // A reserved use released (an order cancelled before confirmation) is given back.
    await inTx((uses) => uses.release('o-b'))
    await inTx((uses) => uses.release('o-b'))
    expect(await catalog.find(promotion.id)).toMatchObject({ uses: 1, reserved: 0 })
    // A released use is not spent by a late confirmation.
    await inTx((uses) => uses.spend('o-b'))
    expect(await catalog.find(promotion.id)).toMatchObject({ uses: 1, reserved: 0 })
    await reserve(promotion.code, 'o-c')
    expect(await codeOf(reserve(promotion.code))).toBe('ORDERS.PROMOTION_EXHAUSTED')

    // A spent use released (a confirmed order cancelled) is given back too.
    await inTx((uses) => uses.release('o-a'))
    expect(await catalog.find(promotion.id)).toMatchObject({ uses: 0, reserved: 1 })
    expect(await codeOf(reserve(promotion.code, 'o-d'))).toBe('ok')
    // The order whose use was given back cannot take it again.
    expect(await codeOf(reserve(promotion.code, 'o-a'))).toBe('ORDERS.PROMOTION_USE_CONFLICT')
  })

  it('rolls the use back with the order when its transaction fails', async () => {
    const promotion = await catalog.create(definition({ usageLimit: 1 }), now)
    await expect(
      (database.db as Kysely<PromotionTables>).transaction().execute(async (trx) => {
        await promotionUsesIn(trx).reserve({
          code: promotion.code,
          orderId: 'o-rollback',
          customerId: 'c',
          subtotal: usd(100),
          now,
        })
        throw new Error('the order could not be stored')
      }),
    ).rejects.toThrow('the order could not be stored')
    expect(await catalog.find(promotion.id)).toMatchObject({ uses: 0, reserved: 0 })
    expect(await codeOf(reserve(promotion.code))).toBe('ok')
  })

  it('counts the per-customer limit', async () => {
    const twice = await catalog.create(definition({ perCustomerLimit: 2 }), now)
    await reserve(twice.code, randomUUID(), 'ada')
    await reserve(twice.code, randomUUID(), 'ada')
    expect(await codeOf(reserve(twice.code, randomUUID(), 'ada'))).toBe(
      'ORDERS.PROMOTION_CUSTOMER_LIMIT',
    )
    expect(await codeOf(reserve(twice.code, randomUUID(), 'grace'))).toBe('ok')
    await expect(
      catalog.preview({ code: twice.code, customerId: 'ada', subtotal: usd(100), now }),
    ).rejects.toMatchObject({ code: 'ORDERS.PROMOTION_CUSTOMER_LIMIT' })
  })

  it('50 concurrent reservations of a code limited to 10: exactly 10 succeed', async () => {
    const promotion = await catalog.create(definition({ usageLimit: 10 }), now)
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        codeOf(reserve(promotion.code, randomUUID(), randomUUID(), usd(10_000), racing)),
      ),
    )
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10)
    expect(outcomes.filter((o) => o !== 'ok')).toEqual(
      Array.from({ length: 40 }, () => 'ORDERS.PROMOTION_EXHAUSTED'),
    )
    expect(await catalog.find(promotion.id)).toMatchObject({ uses: 0, reserved: 10 })
  })

  it('one customer racing 20 orders for a code allowed twice each: exactly 2 succeed', async () => {
    const promotion = await catalog.create(definition({ perCustomerLimit: 2 }), now)
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        codeOf(reserve(promotion.code, randomUUID(), 'racer', usd(10_000), racing)),
      ),
    )
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2)
    expect(new Set(outcomes.filter((o) => o !== 'ok'))).toEqual(
      new Set(['ORDERS.PROMOTION_CUSTOMER_LIMIT']),
    )
  })

  it('keeps codes unique whatever their case, and never changes a code', async () => {
    await catalog.create(definition({ code: 'UNIQUE1' }), now)
    await expect(catalog.create(definition({ code: 'UNIQUE1' }), now)).rejects.toMatchObject({
      code: 'ORDERS.PROMOTION_CODE_TAKEN',
    })
    expect(await catalog.find('not-a-uuid')).toBeUndefined()
    expect(await catalog.update('not-a-uuid', { active: false }, now)).toBeUndefined()
    expect(await catalog.update(randomUUID(), { active: false }, now)).toBeUndefined()
  })

  it('lists newest first, page by page, with the active filter', async () => {
    const listed = await catalog.list({ limit: 1000 })
    expect(listed.length).toBeGreaterThan(3)
    const first = await catalog.list({ limit: 2 })
    const last = first.at(-1)!
    const second = await catalog.list({
      limit: 2,
      after: { createdAt: last.createdAt, id: last.id },
    })
    expect([...first, ...second].map((p) => p.id)).toEqual(listed.slice(0, 4).map((p) => p.id))
    const inactive = await catalog.list({ active: false, limit: 1000 })
    expect(inactive.length).toBeGreaterThan(0)
    expect(inactive.every((p) => !p.active)).toBe(true)
  })
})
