import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseKind } from '../db/database.js'
import { createMetricsRegistry } from '../metrics.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import { createHttpServer, type HttpServer } from './server.js'

// Defense in depth behind the request schemas: a value the database itself refuses (SQLSTATE
// class 22) is the request's fault, a 400 problem, never a 500 that looks like an outage.
describe.each<DatabaseKind>(['postgres', 'mysql', 'pglite'])('a data exception on %s', (kind) => {
  let testDb: TestDatabase
  let server: HttpServer
  const logged: Array<{ level: number; msg: string; code?: string }> = []

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    const { db } = testDb.database
    await sql`create table t (n smallint, s varchar(5), at date)`.execute(db)
    const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) })
    server = createHttpServer({
      service: 'test',
      log,
      registry: createMetricsRegistry('test', { processMetrics: false }),
      routes: async (app) => {
        // The values come straight from the query string: no schema stands in front.
        app.post('/rows', async (request) => {
          const { n, s, at } = request.query as Record<string, string>
          await testDb.database.transaction(async (trx) => {
            await sql`insert into t (n, s, at) values (1, 'ok', null)`.execute(trx)
            await sql`insert into t (n, s, at) values (${n ?? null}, ${s ?? null}, ${at ?? null})`.execute(
              trx,
            )
          })
          return { ok: true }
        })
        app.get('/wrong', async () => {
          await sql`select * from no_such_table`.execute(db)
        })
      },
    })
  }, 60_000)

  afterAll(async () => {
    await server?.close()
    await testDb?.drop()
  })

  const rowCount = async () => {
    const { rows } = await sql<{ c: number | string }>`select count(*) as c from t`.execute(
      testDb.database.db,
    )
    return Number(rows[0]!.c)
  }

  it('answers 400 HTTP.INVALID_VALUE, writes nothing and logs a warning', async () => {
    const values: Array<Record<string, string>> = [
      { n: '99999999999' },
      { n: 'many' },
      { at: '0000-13-45' },
      kind === 'mysql' ? { s: 'far too long' } : { s: 'a\u0000b' },
    ]
    for (const query of values) {
      const response = await server.inject({ method: 'POST', url: '/rows', query })
      expect(response.statusCode, `${JSON.stringify(query)}: ${response.body}`).toBe(400)
      expect(response.headers['content-type']).toContain('application/problem+json')
      const body = response.json()
      expect(body).toMatchObject({ status: 400, code: 'HTTP.INVALID_VALUE' })
      expect(body.detail).not.toMatch(/insert|smallint|varchar/i)
    }
    expect(await rowCount()).toBe(0)
    const warnings = logged.filter((l) => l.level === 40 && l.code === 'HTTP.INVALID_VALUE')
    expect(warnings).toHaveLength(values.length)
    expect(warnings[0]).toHaveProperty('requestId')
  })

  it('still answers 500 for a query that is wrong whatever the values', async () => {
    const response = await server.inject({ method: 'GET', url: '/wrong' })
    expect(response.statusCode).toBe(500)
  })

  it('writes a good row', async () => {
    const response = await server.inject({ method: 'POST', url: '/rows', query: { n: '7' } })
    expect(response.statusCode).toBe(200)
    expect(await rowCount()).toBe(2)
  })
})
