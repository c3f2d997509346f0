import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import type { Database } from './database.js'
import { openDatabase } from './open-database.js'

// Statements with parameters go to PostgreSQL as named statements, prepared once per connection
// (named-statements.ts). One connection per pool here, so that what it prepared can be read.
describe('named statements on PostgreSQL', () => {
  let testDb: TestDatabase
  const opened: Database[] = []

  async function open(namedStatements?: boolean) {
    const database = await openDatabase(testDb.url, {
      poolSize: 1,
      ...(namedStatements === undefined ? {} : { namedStatements }),
    })
    opened.push(database)
    return database
  }

  function prepared(database: Database) {
    return sql<{ statement: string }>`
      select statement from pg_prepared_statements where not from_sql`
      .execute(database.db)
      .then(({ rows }) => rows.map((row) => row.statement))
  }

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
    await sql`create table items (id int primary key, name text not null)`.execute(
      testDb.database.db,
    )
    await sql`insert into items values (1, 'one'), (2, 'two')`.execute(testDb.database.db)
  })

  afterAll(async () => {
    for (const database of opened) await database.close()
    await testDb?.drop()
  })

  it('prepares a statement with parameters once and runs it with each run’s values', async () => {
    const database = await open()
    const read = (id: number) =>
      database.db.selectFrom('items').select('name').where('id', '=', id).executeTakeFirst()
    for (let run = 0; run < 8; run++) {
      expect(await read(1 + (run % 2))).toEqual({ name: run % 2 ? 'two' : 'one' })
    }
    expect(await read(3)).toBeUndefined()
    const statements = await prepared(database)
    expect(statements.filter((text) => text.includes('from "items"'))).toEqual([
      'select "name" from "items" where "id" = $1',
    ])
  })

  it('leaves statements without parameters, and transactions, unnamed', async () => {
    const database = await open()
    await database.transaction(async (trx) => {
      await sql`update items set name = name where id = 1`.execute(trx)
    })
    expect(await prepared(database)).toEqual([])
  })

  it('names nothing when told not to, not even a query config that has a name', async () => {
    const database = await open(false)
    await database.db.selectFrom('items').select('name').where('id', '=', 1).execute()
    // As the catalog's runner sends its prepared listings.
    const config = { name: 'own_name', text: 'select name from items where id = $1' }
    const { rows } = await database.db.executeQuery<{ name: string }>({
      ...CompiledQuery.raw('', [2]),
      sql: config as unknown as string,
    })
    expect(rows).toEqual([{ name: 'two' }])
    expect(await prepared(database)).toEqual([])
  })

  it('recovers when a migration changes the columns of a prepared `select *`', async () => {
    const database = await open()
    await sql`create table things (id int primary key)`.execute(testDb.database.db)
    await sql`insert into things values (1)`.execute(testDb.database.db)
    const read = () => database.db.selectFrom('things').selectAll().where('id', '=', 1).execute()
    expect(await read()).toEqual([{ id: 1 }])
    // Another replica migrates while this one runs.
    await sql`alter table things add column label text not null default 'x'`.execute(
      testDb.database.db,
    )
    // Outside a transaction the statement is sent again, unnamed, at once.
    expect(await read()).toEqual([{ id: 1, label: 'x' }])
    expect(await read()).toEqual([{ id: 1, label: 'x' }])
  })

  it('inside a transaction, fails that transaction once, and its retry works', async () => {
    const database = await open()
    await sql`create table others (id int primary key)`.execute(testDb.database.db)
    await sql`insert into others values (1)`.execute(testDb.database.db)
    const read = () =>
      database.transaction((trx) =>
        trx.selectFrom('others').selectAll().where('id', '=', 1).execute(),
      )
    expect(await read()).toEqual([{ id: 1 }])
    await sql`alter table others add column label text not null default 'y'`.execute(
      testDb.database.db,
    )
    await expect(read()).rejects.toThrow(/cached plan must not change result type/)
    expect(await read()).toEqual([{ id: 1, label: 'y' }])
    // The connection names nothing more (its prepared statements could fail the same way).
    await database.db.selectFrom('items').select('id').where('id', '=', 2).execute()
    expect((await prepared(database)).some((text) => text.includes('"items"'))).toBe(false)
  })
})
