import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpServer } from '../http/server.js'
import { createMetricsRegistry } from '../metrics.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import { idleConnectionMs, openDatabase } from './open-database.js'

// A PostgreSQL restart (the chaos runner does one) drops every idle connection of every pool:
// the process must survive it and the next query must work on a new connection.
describe('a PostgreSQL pool whose idle connections the server drops', () => {
  let testDb: TestDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
  })

  afterAll(async () => {
    await testDb?.drop()
  })

  it('survives and answers the next query', async () => {
    const database = await openDatabase(testDb.url, { poolSize: 3 })
    const killer = await openDatabase(testDb.url, { poolSize: 1 })
    try {
      // Three connections, idle in the pool once the queries end.
      await Promise.all(
        [1, 2, 3].map((n) => sql`select ${n}::int, pg_sleep(0.05)`.execute(database.db)),
      )
      const name = new URL(testDb.url).pathname.slice(1)
      const { rows } = await sql<{ killed: number }>`
        select count(pg_terminate_backend(pid))::int as killed from pg_stat_activity
        where datname = ${name} and pid <> pg_backend_pid()`.execute(killer.db)
      expect(rows[0]!.killed).toBe(3)
      // Unheard, the pool's 'error' event would have crashed this worker by now.
      await new Promise((r) => setTimeout(r, 300))
      const again = await sql<{ n: number }>`select 7 as n`.execute(database.db)
      expect(again.rows).toEqual([{ n: 7 }])
    } finally {
      await database.close()
      await killer.close()
    }
  })

  it('survives a connection dropped inside a transaction, between two of its queries', async () => {
    const database = await openDatabase(testDb.url, { poolSize: 2 })
    const killer = await openDatabase(testDb.url, { poolSize: 1 })
    try {
      const inTransaction = database.transaction(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)
        // The connection is checked out and idle in the transaction (awaiting, say, the broker).
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(killer.db)
        await new Promise((r) => setTimeout(r, 300))
        await sql`select 1`.execute(trx)
      })
      await expect(inTransaction).rejects.toThrow()
      const again = await sql<{ n: number }>`select 8 as n`.execute(database.db)
      expect(again.rows).toEqual([{ n: 8 }])
    } finally {
      await database.close()
      await killer.close()
    }
  })

  it('answers 503 with retry-after, not 500, when the database drops the connection of a request', async () => {
    const database = await openDatabase(testDb.url, { poolSize: 2 })
    const killer = await openDatabase(testDb.url, { poolSize: 1 })
    const server = createHttpServer({
      service: 'test',
      log: pino({ level: process.env.DBG ? 'error' : 'silent' }),
      registry: createMetricsRegistry('test', { processMetrics: false }),
      routes: async (app) => {
        app.get('/slow', async () => {
          await sql`select pg_sleep(10)`.execute(database.db)
          return { ok: true }
        })
        app.get('/broken', async () => {
          await sql`select * from no_such_table`.execute(database.db)
          return { ok: true }
        })
      },
    })
    try {
      const name = new URL(testDb.url).pathname.slice(1)
      const answer = server.inject({ method: 'GET', url: '/slow' })
      // The query is running: the server shuts that backend down (as a restart would).
      for (let i = 0; i < 50; i++) {
        const { rows } = await sql<{ killed: number }>`
          select count(pg_terminate_backend(pid))::int as killed from pg_stat_activity
          where datname = ${name} and query like '%pg_sleep(10)%' and pid <> pg_backend_pid()`.execute(
          killer.db,
        )
        if (rows[0]!.killed > 0) break
        await new Promise((r) => setTimeout(r, 50))
      }
      const response = await answer
      expect(response.statusCode).toBe(503)
      expect(response.headers['retry-after']).toBe('2')
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.json()).toMatchObject({ status: 503, code: 'SERVICE.UNAVAILABLE' })
      // A wrong query is still our fault: 500, nothing of the SQL in the body. (Once the pool
      // has heard its dropped connection close: until then it may hand that one out again, and
      // that request gets a 503 as well.)
      await new Promise((r) => setTimeout(r, 300))
      const broken = await server.inject({ method: 'GET', url: '/broken' })
      expect(broken.statusCode, broken.body).toBe(500)
      expect(broken.body).not.toContain('no_such_table')
    } finally {
      await server.close()
      await database.close()
      await killer.close()
    }
  })
})

// A new connection costs PostgreSQL its start, its text-search dictionaries and the plans of its
// named statements: a lull of a few seconds between bursts must not close the pool's connections
// (node-postgres closes them after 10 s idle unless told otherwise).
describe('a PostgreSQL pool between bursts', () => {
  let testDb: TestDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
  })

  afterAll(async () => {
    await testDb?.drop()
  })

  it('keeps an idle connection past node-postgres’ 10 s default', async () => {
    const database = await openDatabase(testDb.url, { poolSize: 1 })
    try {
      const pid = async () =>
        (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0]!
          .pid
      const first = await pid()
      await new Promise((r) => setTimeout(r, 11_500))
      expect(await pid()).toBe(first)
      expect(idleConnectionMs).toBeGreaterThanOrEqual(60_000)
    } finally {
      await database.close()
    }
  }, 30_000)
})
