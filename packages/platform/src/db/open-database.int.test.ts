import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import { openDatabase } from './open-database.js'

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
})
