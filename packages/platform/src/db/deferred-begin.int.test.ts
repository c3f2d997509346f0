import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import type { Database } from './database.js'
import { namingClient } from './named-statements.js'
import { openDatabase } from './open-database.js'

// A transaction's `begin` waits for its first statement and goes with it in one write on a
// pipelined connection (named-statements.ts). What must hold: the transaction is still one
// transaction, one that ends before any statement leaves nothing open, and a connection handed
// back to the pool carries no `begin` to its next user.
describe('deferred begin on PostgreSQL', () => {
  let testDb: TestDatabase
  const opened: Database[] = []

  async function open(deferBegin?: boolean) {
    const database = await openDatabase(testDb.url, {
      poolSize: 1,
      ...(deferBegin === undefined ? {} : { deferBegin }),
    })
    opened.push(database)
    return database
  }

  /** The server's view of the database's one connection ('idle', 'idle in transaction', …). */
  async function stateOf(database: Database) {
    const { rows } = await sql<{ state: string }>`
      select state from pg_stat_activity where application_name = ${database.applicationName!}`.execute(
      testDb.database.db,
    )
    return rows.map((row) => row.state)
  }

  const names = (database: Database) =>
    database.db
      .selectFrom('entries')
      .select('name')
      .orderBy('name')
      .execute()
      .then((rows) => rows.map((row) => row.name as string))

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
    await sql`create table entries (name text primary key)`.execute(testDb.database.db)
  })

  afterAll(async () => {
    for (const database of opened) await database.close()
    await testDb?.drop()
  })

  it('opens the transaction with its first statement, not before', async () => {
    const database = await open()
    await sql`select 1`.execute(database.db) // the connection exists
    const seen: string[][] = []
    await database.transaction(async (trx) => {
      seen.push(await stateOf(database))
      await sql`insert into entries values (${'first'})`.execute(trx)
      seen.push(await stateOf(database))
    })
    seen.push(await stateOf(database))
    expect(seen).toEqual([['idle'], ['idle in transaction'], ['idle']])
  })

  it('opens it at once when told not to defer (the check above tells them apart)', async () => {
    const database = await open(false)
    await sql`select 1`.execute(database.db)
    let before: string[] = []
    await database.transaction(async (trx) => {
      before = await stateOf(database)
      await sql`select 1`.execute(trx)
    })
    expect(before).toEqual(['idle in transaction'])
  })

  it('keeps the transaction whole: a failing statement undoes the ones before it', async () => {
    const database = await open()
    await expect(
      database.transaction(async (trx) => {
        await sql`insert into entries values (${'undone'})`.execute(trx)
        await sql`insert into entries values (${'undone'})`.execute(trx) // duplicate key
      }),
    ).rejects.toMatchObject({ code: '23505' })
    expect(await names(database)).not.toContain('undone')
    // The connection is usable after the rollback, and is not left in a transaction.
    await database.transaction(async (trx) => {
      await sql`insert into entries values (${'after'})`.execute(trx)
    })
    expect(await names(database)).toContain('after')
    expect(await stateOf(database)).toEqual(['idle'])
  })

  it('rolls back what the transaction wrote when its function throws', async () => {
    const database = await open()
    await expect(
      database.transaction(async (trx) => {
        await sql`insert into entries values (${'thrown'})`.execute(trx)
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    expect(await names(database)).not.toContain('thrown')
  })

  it('sends nothing for a transaction without statements, and the next one still opens', async () => {
    const database = await open()
    await database.transaction(async () => {})
    await expect(
      database.transaction(async () => {
        throw new Error('nothing written')
      }),
    ).rejects.toThrow('nothing written')
    expect(await stateOf(database)).toEqual(['idle'])
    await database.transaction(async (trx) => {
      await sql`insert into entries values (${'next'})`.execute(trx)
      expect(await stateOf(database)).toEqual(['idle in transaction'])
    })
    expect(await names(database)).toContain('next')
  })

  it('runs statements sent at once inside one transaction in order', async () => {
    const database = await open()
    await database.transaction(async (trx) => {
      await Promise.all(
        ['p1', 'p2', 'p3'].map((name) => sql`insert into entries values (${name})`.execute(trx)),
      )
    })
    expect(await names(database)).toEqual(expect.arrayContaining(['p1', 'p2', 'p3']))
  })

  it('keeps transactions of many callers apart on a shared pool', async () => {
    const database = await openDatabase(testDb.url, { poolSize: 4 })
    opened.push(database)
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        database.transaction(async (trx) => {
          await sql`insert into entries values (${`many-${i}`})`.execute(trx)
          await sql`insert into entries values (${`many-${i}-b`})`.execute(trx)
          if (i % 3 === 0) throw new Error('odd one out')
        }),
      ),
    )
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(14)
    const kept = (await names(database)).filter((name) => name.startsWith('many-'))
    const expected = Array.from({ length: 40 }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .flatMap((i) => [`many-${i}`, `many-${i}-b`])
    expect(kept.sort()).toEqual(expected.sort())
  })

  it('gives the first statement’s caller the error when the connection broke before it', async () => {
    const database = await open()
    await sql`select 1`.execute(database.db)
    await expect(
      database.transaction(async (trx) => {
        await sql`select pg_terminate_backend(pid) from pg_stat_activity
                  where application_name = ${database.applicationName!}`.execute(testDb.database.db)
        await sql`insert into entries values (${'lost'})`.execute(trx)
      }),
    ).rejects.toThrow()
    expect(await names(testDb.database)).not.toContain('lost')
    // The pool replaces the connection.
    expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows).toEqual([
      { one: 1 },
    ])
  })

  it('drops a begin no statement followed when the connection goes back to the pool', async () => {
    const pool = new pg.Pool({
      connectionString: testDb.url,
      max: 1,
      Client: namingClient(pg),
    })
    pool.on('release', (_error, client) => {
      ;(client as unknown as { discardPendingBegin(): void }).discardPendingBegin()
    })
    try {
      const first = await pool.connect()
      await first.query('begin')
      first.release()
      const second = await pool.connect()
      await second.query('insert into entries values ($1)', ['outside'])
      // Not in a transaction: another connection sees the row at once.
      expect(await names(testDb.database)).toContain('outside')
      second.release()
    } finally {
      await pool.end()
    }
  })
})
