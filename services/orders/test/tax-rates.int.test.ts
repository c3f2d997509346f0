import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createInProcessBus,
  createOutbox,
  startService,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, createTestTokens, type TestDatabase } from '@emporium/platform/testing'
import * as taxRatesMigration from '../migrations/008-tax-rates.js'
import { createManageTaxRates } from '../src/app/manage-tax-rates.js'
import { rateFor } from '../src/domain/tax.js'
import { taxRoutes } from '../src/http/tax-routes.js'
import { createSqlTaxRates } from '../src/infra/sql-tax-rates.js'

// The admins' tax rates over real HTTP against a real database: migration 008, the SQL store
// (the upsert on (country, region, class), the country's own rate unique too) and the routes.
describe.each(['postgres', 'pglite'] as const satisfies DatabaseKind[])(
  'tax rates on %s',
  (kind) => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [] }, log })
    const tokens = createTestTokens()
    const admin = tokens.bearer(randomUUID(), ['customer', 'admin'])
    const shopper = tokens.bearer(randomUUID())
    let testDb: TestDatabase
    let running: RunningService

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      const store = createSqlTaxRates(testDb.database, createOutbox({ source: 'orders' }))
      running = await startService(
        {
          name: 'orders',
          database: testDb.database,
          migrations: { '008-tax-rates': taxRatesMigration },
          routes: taxRoutes({ verifier: tokens.verifier, ...createManageTaxRates({ store }) }),
        },
        { port: 0, log, bus },
      )
    })

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await bus.close()
      await running?.close()
      await testDb?.drop()
    })

    async function call(method: string, path: string, bearer?: string, body?: unknown) {
      const headers: Record<string, string> = {}
      if (bearer) headers.authorization = bearer
      if (body !== undefined) headers['content-type'] = 'application/json'
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, text, body: text ? JSON.parse(text) : undefined }
    }

    it('sets, replaces, lists and deletes rates; lookups follow them', async () => {
      const fr = await call('PUT', '/tax-rates', admin, { country: 'FR', rateBasisPoints: 2000 })
      expect(fr.status, fr.text).toBe(200)
      expect(fr.body).toMatchObject({ country: 'FR', region: null, taxClass: 'standard' })
      const books = await call('PUT', '/tax-rates', admin, {
        country: 'FR',
        region: null,
        taxClass: 'books',
        rateBasisPoints: 550,
      })
      expect(books.status, books.text).toBe(200)
      const ca = await call('PUT', '/tax-rates', admin, {
        country: 'US',
        region: ' ca ',
        taxClass: 'standard',
        rateBasisPoints: 700,
      })
      expect(ca.body).toMatchObject({ region: 'CA', rateBasisPoints: 700 })

      // The same destination and class again: the same rate, changed (the country's own too).
      const again = await call('PUT', '/tax-rates', admin, {
        country: 'US',
        region: 'Ca',
        rateBasisPoints: 725,
      })
      expect(again.body).toEqual({ ...ca.body, rateBasisPoints: 725 })
      const frAgain = await call('PUT', '/tax-rates', admin, {
        country: 'FR',
        rateBasisPoints: 2100,
      })
      expect(frAgain.body).toEqual({ ...fr.body, rateBasisPoints: 2100 })

      const list = await call('GET', '/tax-rates', admin)
      expect(list.status).toBe(200)
      expect(list.body.items).toEqual([{ ...books.body }, { ...frAgain.body }, { ...again.body }])
      const store = createSqlTaxRates(testDb.database, createOutbox({ source: 'orders' }))
      const us = await store.forCountry('us')
      expect(rateFor(us, { country: 'US', region: 'ca' }, 'toys')).toBe(725)
      expect(rateFor(await store.forCountry('FR'), { country: 'FR' }, 'books')).toBe(550)

      const gone = await call('DELETE', `/tax-rates/${books.body.id}`, admin)
      expect(gone.status, gone.text).toBe(204)
      expect(rateFor(await store.forCountry('FR'), { country: 'FR' }, 'books')).toBe(2100)
      const twice = await call('DELETE', `/tax-rates/${books.body.id}`, admin)
      expect(twice.status).toBe(404)
      expect(twice.body.code).toBe('ORDERS.TAX_RATE_NOT_FOUND')
      const unknown = await call('DELETE', '/tax-rates/not-a-uuid', admin)
      expect(unknown.status).toBe(404)
    })

    it('audits staff changes of rates: who, and the rate before and after (issue 19)', async () => {
      type Outbox = { outbox: { type: string; payload: string; seq: number } }
      const audits = async (id: string) =>
        (
          await (testDb.database.db as Kysely<Outbox>)
            .selectFrom('outbox')
            .select(['payload'])
            .where('type', '=', 'audit.recorded')
            .orderBy('seq')
            .execute()
        )
          .map((row) => JSON.parse(row.payload).data)
          .filter((data: { entity: { id: string } }) => data.entity.id === id)
      const sub = JSON.parse(Buffer.from(admin.split('.')[1]!, 'base64url').toString()).sub
      const actor = { userId: sub, roles: ['customer', 'admin'] }
      const set = await call('PUT', '/tax-rates', admin, { country: 'NO', rateBasisPoints: 2500 })
      expect(set.status, set.text).toBe(200)
      const changed = await call('PUT', '/tax-rates', admin, {
        country: 'NO',
        rateBasisPoints: 1500,
      })
      expect(changed.status, changed.text).toBe(200)
      // Refused (a blank region, and a rate not there): nothing changes, nothing is recorded.
      const blank = { country: 'NO', region: ' ', rateBasisPoints: 1 }
      expect((await call('PUT', '/tax-rates', admin, blank)).status).toBe(400)
      expect((await call('DELETE', `/tax-rates/${randomUUID()}`, admin)).status).toBe(404)
      expect((await call('DELETE', `/tax-rates/${set.body.id}`, admin)).status).toBe(204)
      const entity = { type: 'tax-rate', id: set.body.id }
      const rate = { country: 'NO', region: null, taxClass: 'standard' }
      expect(await audits(set.body.id)).toMatchObject([
        {
          actor,
          action: 'tax-rate.created',
          entity,
          before: null,
          after: { ...rate, rateBasisPoints: 2500 },
        },
        {
          actor,
          action: 'tax-rate.updated',
          entity,
          before: { rateBasisPoints: 2500 },
          after: { rateBasisPoints: 1500 },
        },
        {
          actor,
          action: 'tax-rate.deleted',
          entity,
          before: { ...rate, rateBasisPoints: 1500 },
          after: null,
        },
      ])
    })

    it('is for admins only', async () => {
      for (const [method, path, body] of [
        ['GET', '/tax-rates', undefined],
        ['PUT', '/tax-rates', { country: 'DE', rateBasisPoints: 1900 }],
        ['DELETE', `/tax-rates/${randomUUID()}`, undefined],
      ] as const) {
        expect((await call(method, path, undefined, body)).status).toBe(401)
        expect((await call(method, path, shopper, body)).status).toBe(403)
      }
      const list = await call('GET', '/tax-rates', admin)
      expect(list.body.items.some((r: { country: string }) => r.country === 'DE')).toBe(false)
    })

    it('answers a bad rate with a 400 problem, never a 5xx', async () => {
      for (const body of [
        { country: 'fr', rateBasisPoints: 2000 },
        { country: 'FRA', rateBasisPoints: 2000 },
        { country: 'FR', rateBasisPoints: 10_001 },
        { country: 'FR', rateBasisPoints: -1 },
        { country: 'FR', rateBasisPoints: 12.5 },
        { country: 'FR', taxClass: 'Books', rateBasisPoints: 1 },
        { country: 'FR', taxClass: 'x'.repeat(33), rateBasisPoints: 1 },
        { country: 'FR', region: '', rateBasisPoints: 1 },
        { country: 'FR', region: '   ', rateBasisPoints: 1 },
        { country: 'FR', region: 'a\u0000b', rateBasisPoints: 1 },
        { country: 'FR' },
        { country: 'FR', rateBasisPoints: 1, extra: true },
      ]) {
        const reply = await call('PUT', '/tax-rates', admin, body)
        expect(reply.status, JSON.stringify(body)).toBe(400)
        expect(reply.body.status).toBe(400)
      }
    })
  },
)
