import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import {
  createOutbox,
  createHttpServer,
  createMetricsRegistry,
  migrate,
  type HttpServer,
} from '@emporium/platform'
import { createTestDatabase, createTestTokens, type TestDatabase } from '@emporium/platform/testing'
import * as promotionsMigration from '../migrations/007-promotions.js'
import { createManagePromotions } from '../src/app/manage-promotions.js'
import type { PromotionTables } from '../src/infra/promotion-tables.js'
import { createSqlPromotionCatalog, promotionUsesIn } from '../src/infra/sql-promotions.js'
import { promotionRoutes } from '../src/http/promotion-routes.js'

// The admins' promotion API over the real adapter (PGlite): who may call it, what it accepts,
// and the uses it shows.
describe('promotion routes', () => {
  const tokens = createTestTokens()
  const admin = tokens.bearer(randomUUID(), ['customer', 'admin'])
  const shopper = tokens.bearer(randomUUID(), ['customer'])
  let test: TestDatabase
  let app: HttpServer

  beforeAll(async () => {
    test = await createTestDatabase('pglite')
    await migrate(test.database, { migrations: { '007-promotions': promotionsMigration } })
    const catalog = createSqlPromotionCatalog(test.database, createOutbox({ source: 'orders' }))
    app = createHttpServer({
      service: 'orders',
      log: pino({ level: 'silent' }),
      registry: createMetricsRegistry('promotion-routes-test', { processMetrics: false }),
      routes: promotionRoutes({
        verifier: tokens.verifier,
        ...createManagePromotions({ catalog, now: () => new Date() }),
      }),
    })
  })
  afterAll(async () => {
    await app?.close()
    await test?.drop()
  })

  async function call(method: string, url: string, body?: unknown, authorization = admin) {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: authorization ? { authorization } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    })
    return { status: response.statusCode, body: response.json() }
  }

  it('is for admins only', async () => {
    expect((await call('GET', '/promotions', undefined, '')).status).toBe(401)
    expect((await call('GET', '/promotions', undefined, shopper)).status).toBe(403)
    const post = await call('POST', '/promotions', { code: 'X12', kind: 'fixed' }, shopper)
    expect(post.status).toBe(403)
    expect((await call('DELETE', `/promotions/${randomUUID()}`, undefined, shopper)).status).toBe(
      403,
    )
  })

  it('creates, shows, changes and deactivates a promotion, with its uses', async () => {
    const created = await call('POST', '/promotions', {
      code: 'welcome-5',
      kind: 'fixed',
      amount: { amount: 500, currency: 'EUR' },
      minSubtotal: { amount: 2000, currency: 'EUR' },
      usageLimit: 100,
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      code: 'WELCOME-5',
      kind: 'fixed',
      percent: null,
      amount: { amount: 500, currency: 'EUR' },
      minSubtotal: { amount: 2000, currency: 'EUR' },
      startsAt: null,
      endsAt: null,
      usageLimit: 100,
      perCustomerLimit: null,
      active: true,
      uses: 0,
      reserved: 0,
    })
    const id = created.body.id as string

    // Two orders reserve it, one confirms.
    const db = test.database.db as Kysely<PromotionTables>
    for (const orderId of ['o-1', 'o-2']) {
      await db.transaction().execute((trx) =>
        promotionUsesIn(trx).reserve({
          code: 'Welcome-5',
          orderId,
          customerId: 'c-1',
          subtotal: { amount: 3000, currency: 'EUR' },
          now: new Date(),
        }),
      )
    }
    await db.transaction().execute((trx) => promotionUsesIn(trx).spend('o-1'))
    expect((await call('GET', `/promotions/${id}`)).body).toMatchObject({ uses: 1, reserved: 1 })

    const ends = '2030-01-01T00:00:00.000Z'
    const patched = await call('PATCH', `/promotions/${id}`, { endsAt: ends, usageLimit: null })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ endsAt: ends, usageLimit: null, code: 'WELCOME-5' })

    const deleted = await call('DELETE', `/promotions/${id}`)
    expect(deleted.status).toBe(200)
    expect(deleted.body).toMatchObject({ active: false, uses: 1, reserved: 1 })
    expect((await call('GET', `/promotions/${id}`)).body.active).toBe(false)
  })

  it('audits staff changes: who, the promotion after, the changed fields (issue 19)', async () => {
    const audits = async (id: string) =>
      (
        await test.database.db
          .selectFrom('outbox')
          .select(['payload'])
          .where('type', '=', 'audit.recorded')
          .orderBy('seq')
          .execute()
      )
        .map((row: { payload: string }) => JSON.parse(row.payload).data)
        .filter((data: { entity: { id: string } }) => data.entity.id === id)
    const sub = JSON.parse(Buffer.from(admin.split('.')[1]!, 'base64url').toString()).sub
    const actor = { userId: sub, roles: ['customer', 'admin'] }
    const body = { code: 'AUDIT-10', kind: 'percentage', percent: 10 }
    const created = await call('POST', '/promotions', body)
    expect(created.status).toBe(201)
    const id = created.body.id as string
    // Refused: the code taken, an unknown promotion, a bad window; nothing is recorded for them.
    expect((await call('POST', '/promotions', body)).status).toBe(409)
    expect((await call('PATCH', `/promotions/${randomUUID()}`, { usageLimit: 3 })).status).toBe(404)
    const window = { startsAt: '2031-01-01T00:00:00.000Z', endsAt: '2030-01-01T00:00:00.000Z' }
    expect((await call('PATCH', `/promotions/${id}`, window)).status).toBe(400)
    expect((await call('PATCH', `/promotions/${id}`, { usageLimit: 3 })).status).toBe(200)
    expect((await call('DELETE', `/promotions/${id}`)).status).toBe(200)
    const entity = { type: 'promotion', id }
    const events = await audits(id)
    expect(events).toMatchObject([
      {
        actor,
        action: 'promotion.created',
        entity,
        before: null,
        after: { id, code: 'AUDIT-10', kind: 'percentage', percent: 10, active: true },
      },
      {
        actor,
        action: 'promotion.updated',
        entity,
        before: { usageLimit: null },
        after: { usageLimit: 3 },
      },
      {
        actor,
        action: 'promotion.deactivated',
        entity,
        before: { active: true },
        after: { active: false },
      },
    ])
    expect(Object.keys(events[1].after)).toEqual(['usageLimit'])
  })

  it('answers every bad input with a 4xx problem', async () => {
    const cases: Array<[string, string, unknown, number, string?]> = [
      ['POST', '/promotions', { code: 'A', kind: 'percentage', percent: 10 }, 400],
      ['POST', '/promotions', { code: 'ABC', kind: 'percentage', percent: 101 }, 400],
      ['POST', '/promotions', { code: 'ABC', kind: 'percentage' }, 400, 'ORDERS.INVALID_PROMOTION'],
      [
        'POST',
        '/promotions',
        { code: 'ABC', kind: 'percentage', percent: 5, amount: { amount: 1, currency: 'USD' } },
        400,
        'ORDERS.INVALID_PROMOTION',
      ],
      [
        'POST',
        '/promotions',
        { code: 'ABC', kind: 'fixed', amount: { amount: 0, currency: 'USD' } },
        400,
        'ORDERS.INVALID_PROMOTION',
      ],
      [
        'POST',
        '/promotions',
        {
          code: 'ABC',
          kind: 'percentage',
          percent: 5,
          startsAt: '2030-01-02T00:00:00Z',
          endsAt: '2030-01-01T00:00:00Z',
        },
        400,
        'ORDERS.INVALID_PROMOTION',
      ],
      ['POST', '/promotions', { code: 'ABC', kind: 'percentage', percent: 5, endsAt: 'soon' }, 400],
      ['POST', '/promotions', { code: 'ABC', kind: 'bogus' }, 400],
      ['GET', '/promotions/not-a-uuid', undefined, 404, 'ORDERS.PROMOTION_NOT_FOUND'],
      ['GET', `/promotions/${randomUUID()}`, undefined, 404, 'ORDERS.PROMOTION_NOT_FOUND'],
      ['PATCH', `/promotions/${randomUUID()}`, { active: true }, 404],
      ['GET', '/promotions?cursor=garbage', undefined, 400, 'ORDERS.INVALID_CURSOR'],
      ['GET', '/promotions?limit=0', undefined, 400],
    ]
    for (const [method, url, body, status, code] of cases) {
      const reply = await call(method, url, body)
      expect(reply.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(status)
      if (code) expect(reply.body.code).toBe(code)
    }

    const taken = await call('POST', '/promotions', {
      code: 'TAKEN',
      kind: 'percentage',
      percent: 5,
    })
    expect(taken.status).toBe(201)
    const again = await call('POST', '/promotions', {
      code: 'taken',
      kind: 'percentage',
      percent: 9,
    })
    expect(again).toMatchObject({ status: 409, body: { code: 'ORDERS.PROMOTION_CODE_TAKEN' } })
    // The code never changes, nor the offer.
    const id = taken.body.id as string
    expect((await call('PATCH', `/promotions/${id}`, { code: 'OTHER' })).status).toBe(400)
    expect((await call('PATCH', `/promotions/${id}`, { percent: 50 })).status).toBe(400)
    const window = await call('PATCH', `/promotions/${id}`, {
      startsAt: '2030-01-02T00:00:00Z',
      endsAt: '2030-01-01T00:00:00Z',
    })
    expect(window).toMatchObject({ status: 400, body: { code: 'ORDERS.INVALID_PROMOTION' } })
  })

  it('lists newest first, page by page, and by activity', async () => {
    for (const code of ['PAGE-1', 'PAGE-2', 'PAGE-3']) {
      await call('POST', '/promotions', { code, kind: 'percentage', percent: 5, active: false })
    }
    const all = (await call('GET', '/promotions?limit=100')).body.items as Array<{ id: string }>
    const first = await call('GET', '/promotions?limit=2')
    expect(first.body.items).toHaveLength(2)
    const second = await call(
      'GET',
      `/promotions?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    )
    expect([...first.body.items, ...second.body.items].map((p: { id: string }) => p.id)).toEqual(
      all.slice(0, 4).map((p) => p.id),
    )
    const inactive = (await call('GET', '/promotions?active=false&limit=100')).body.items
    expect(inactive.map((p: { code: string }) => p.code)).toEqual(
      expect.arrayContaining(['PAGE-1', 'PAGE-2', 'PAGE-3']),
    )
    expect(inactive.every((p: { active: boolean }) => !p.active)).toBe(true)
  })
})
