import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import { withAfterCommit } from './after-commit.js'

describe('withAfterCommit (PostgreSQL)', () => {
  let testDb: TestDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
    await sql`create table marks (id int primary key)`.execute(testDb.database.db)
  })

  afterAll(async () => {
    await testDb?.drop()
  })

  it('runs a callback once the transaction committed, when its row is visible to others', async () => {
    const { database, afterCommit } = withAfterCommit(testDb.database)
    let seen: number | undefined
    await database.transaction(async (trx) => {
      await sql`insert into marks values (1)`.execute(trx)
      afterCommit(trx, () => {
        seen = -1 // marks the call; the visibility is read below
      })
      expect(seen).toBeUndefined()
    })
    expect(seen).toBe(-1)
    const { rows } = await sql<{ n: string }>`select count(*) as n from marks where id = 1`.execute(
      testDb.database.db,
    )
    expect(Number(rows[0]!.n)).toBe(1)
  })

  it('runs nothing when the transaction rolls back', async () => {
    const { database, afterCommit } = withAfterCommit(testDb.database)
    let called = false
    await expect(
      database.transaction(async (trx) => {
        await sql`insert into marks values (2)`.execute(trx)
        afterCommit(trx, () => (called = true))
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect(called).toBe(false)
  })

  it('afterEnd: tells a commit from a rollback, and refuses a handle that is no transaction of its own', async () => {
    const { database, afterEnd } = withAfterCommit(testDb.database)
    const ends: string[] = []
    const end = (name: string) => ({
      committed: () => ends.push(`${name} committed`),
      rolledBack: () => ends.push(`${name} rolled back`),
    })
    await database.transaction(async (trx) => {
      await sql`insert into marks values (3)`.execute(trx)
      expect(afterEnd(trx, end('first'))).toBe(true)
      expect(ends).toEqual([])
    })
    await expect(
      database.transaction(async (trx) => {
        expect(afterEnd(trx, end('second'))).toBe(true)
        await sql`insert into marks values (3)`.execute(trx) // duplicate key: rolls back
      }),
    ).rejects.toThrow()
    expect(ends).toEqual(['first committed', 'second rolled back'])
    expect(afterEnd({}, end('third'))).toBe(false)
    expect(ends).toHaveLength(2)
  })

  it('runs at once for a handle that is no transaction of its own', () => {
    const { afterCommit } = withAfterCommit(testDb.database)
    let called = false
    afterCommit({}, () => (called = true))
    expect(called).toBe(true)
  })
})
