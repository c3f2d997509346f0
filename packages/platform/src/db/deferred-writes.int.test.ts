import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import { deferWrite } from './commit-signal.js'
import type { Database, DatabaseKind } from './database.js'

interface Tables {
  counters: { id: number; n: number }
}

// A deferred write (commit-signal.ts) goes with the transaction's next statement or its commit.
// What must hold: the transaction reads its own deferred writes, in order; a deferred write that
// fails fails the transaction with its own error; a rollback drops what is still held.
describe.each<DatabaseKind>(['postgres', 'mysql', 'pglite'])('deferred writes on %s', (kind) => {
  let test: TestDatabase
  let database: Database<Tables>
  let db: Kysely<Tables>

  const valueOf = async (id: number) =>
    (await db.selectFrom('counters').select('n').where('id', '=', id).executeTakeFirst())?.n

  beforeAll(async () => {
    test = await createTestDatabase(kind)
    database = test.database as Database<Tables>
    db = database.db
    await sql`create table counters (id int primary key, n int not null)`.execute(db)
  })
  afterAll(() => test?.drop())
  beforeEach(async () => {
    await db.deleteFrom('counters').execute()
    await db.insertInto('counters').values({ id: 1, n: 0 }).execute()
  })

  it('commits a write deferred to the end with the transaction', async () => {
    await database.transaction(async (trx) => {
      await trx.selectFrom('counters').select('n').where('id', '=', 1).forUpdate().execute()
      await deferWrite(trx, trx.updateTable('counters').set({ n: 5 }).where('id', '=', 1).compile())
    })
    expect(await valueOf(1)).toBe(5)
  })

  it('lets the later statements of the transaction see its deferred writes, in order', async () => {
    const seen = await database.transaction(async (trx) => {
      await deferWrite(trx, trx.updateTable('counters').set({ n: 2 }).where('id', '=', 1).compile())
      await deferWrite(trx, trx.updateTable('counters').set({ n: 3 }).where('id', '=', 1).compile())
      const row = await trx
        .selectFrom('counters')
        .select('n')
        .where('id', '=', 1)
        .executeTakeFirst()
      await deferWrite(
        trx,
        trx
          .insertInto('counters')
          .values({ id: 2, n: row!.n * 10 })
          .compile(),
      )
      return row!.n
    })
    expect(seen).toBe(3)
    expect(await valueOf(1)).toBe(3)
    expect(await valueOf(2)).toBe(30)
  })

  it('fails the statement it goes with, with its own error, and the whole transaction', async () => {
    const failed = database.transaction(async (trx) => {
      await trx.updateTable('counters').set({ n: 7 }).where('id', '=', 1).execute()
      await deferWrite(trx, trx.insertInto('counters').values({ id: 1, n: 9 }).compile())
      await trx.selectFrom('counters').selectAll().execute()
      throw new Error('not reached: the select fails')
    })
    await expect(failed).rejects.toSatisfy((error: { code?: string }) =>
      ['23505', 'ER_DUP_ENTRY'].includes(String(error.code)),
    )
    expect(await valueOf(1)).toBe(0)
  })

  it('fails the commit it goes with, and nothing of the transaction stays', async () => {
    const failed = database.transaction(async (trx) => {
      await trx.updateTable('counters').set({ n: 7 }).where('id', '=', 1).execute()
      await deferWrite(trx, trx.insertInto('counters').values({ id: 1, n: 9 }).compile())
    })
    await expect(failed).rejects.toSatisfy((error: { code?: string }) =>
      ['23505', 'ER_DUP_ENTRY'].includes(String(error.code)),
    )
    expect(await valueOf(1)).toBe(0)
    // The connection is fine afterwards.
    await database.transaction(async (trx) => {
      await deferWrite(trx, trx.updateTable('counters').set({ n: 1 }).where('id', '=', 1).compile())
    })
    expect(await valueOf(1)).toBe(1)
  })

  it('fails the commit of a transaction whose code caught the failed write, and keeps nothing', async () => {
    // Code that catches the error of the statement a deferred write went with (thinking it its
    // own) must not commit the rest as if the write had been made: PostgreSQL would answer the
    // commit of the aborted transaction with a rollback, and MariaDB would commit without it.
    const failed = database.transaction(async (trx) => {
      await trx.updateTable('counters').set({ n: 7 }).where('id', '=', 1).execute()
      await deferWrite(trx, trx.insertInto('counters').values({ id: 1, n: 9 }).compile())
      await trx
        .insertInto('counters')
        .values({ id: 3, n: 3 })
        .execute()
        .catch(() => undefined)
    })
    await expect(failed).rejects.toSatisfy((error: { code?: string }) =>
      ['23505', 'ER_DUP_ENTRY'].includes(String(error.code)),
    )
    expect(await valueOf(1)).toBe(0)
    expect(await valueOf(3)).toBeUndefined()
    // The connection is fine afterwards.
    await database.transaction(async (trx) => {
      await deferWrite(trx, trx.updateTable('counters').set({ n: 1 }).where('id', '=', 1).compile())
    })
    expect(await valueOf(1)).toBe(1)
  })

  it('refuses a write outside a transaction (it would be dropped with the connection)', async () => {
    await expect(
      deferWrite(
        db as never,
        db.updateTable('counters').set({ n: 8 }).where('id', '=', 1).compile(),
      ),
    ).rejects.toThrow('deferWrite needs a transaction')
    expect(await valueOf(1)).toBe(0)
  })

  it('drops the writes still held when the transaction rolls back', async () => {
    await expect(
      database.transaction(async (trx) => {
        await deferWrite(
          trx,
          trx.updateTable('counters').set({ n: 4 }).where('id', '=', 1).compile(),
        )
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    for (let i = 0; i < 3; i++) {
      await database.transaction((trx) => trx.selectFrom('counters').selectAll().execute())
    }
    expect(await valueOf(1)).toBe(0)
  })
})
