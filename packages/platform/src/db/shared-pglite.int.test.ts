import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { sql, type Migration } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { migrate } from './migrate.js'
import { openDatabase } from './open-database.js'

// The embedded mode's services share one PGlite instance, a schema each: same table names,
// separate data, separate migration histories, and one service's transaction never sees (or
// is joined by) another's statements.
const migrations: Record<string, Migration> = {
  '001-create-items': {
    up: async (db) => {
      await db.schema
        .createTable('items')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .execute()
    },
  },
}

const count = async (database: Database) =>
  (
    await database.db
      .selectFrom('items')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
  ).n

describe('services sharing one PGlite folder, a schema each', () => {
  let folder: string
  let orders: Database
  let catalog: Database

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'emporium-shared-pglite-'))
    ;[orders, catalog] = await Promise.all([
      openDatabase(`pglite:${folder}?schema=orders`),
      openDatabase(`pglite:${folder}?schema=catalog`),
    ])
  }, 60_000)

  afterAll(async () => {
    await orders?.close().catch(() => undefined)
    await catalog?.close().catch(() => undefined)
    await rm(folder, { recursive: true, force: true })
  })

  it('migrates each schema on its own, with the same table names', async () => {
    // One after the other, as the embedded platform starts them: the second must not take the
    // first one's history tables for its own.
    const a = await migrate(orders, { migrations })
    const b = await migrate(catalog, { migrations })
    expect(a.applied).toContain('service/001-create-items')
    expect(b.applied).toContain('service/001-create-items')
    const { rows } = await sql<{ schema: string; table: string }>`
      select table_schema as schema, table_name as table from information_schema.tables
      where table_name in ('items', 'outbox') order by 1, 2`.execute(orders.db)
    expect(rows).toEqual([
      { schema: 'catalog', table: 'items' },
      { schema: 'catalog', table: 'outbox' },
      { schema: 'orders', table: 'items' },
      { schema: 'orders', table: 'outbox' },
    ])
  })

  it('keeps each service’s rows apart, while their calls interleave', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? orders : catalog).db
          .insertInto('items')
          .values({ id: i, owner: i % 2 ? 'orders' : 'catalog' })
          .execute(),
      ),
    )
    const owners = async (database: Database) =>
      (await database.db.selectFrom('items').select('owner').distinct().execute()).map(
        (r) => r.owner,
      )
    expect(await owners(orders)).toEqual(['orders'])
    expect(await owners(catalog)).toEqual(['catalog'])
    expect(await count(orders)).toBe(10)
    expect(await count(catalog)).toBe(10)
  })

  it('runs another service’s statements outside a transaction in progress, after it', async () => {
    const before = { orders: await count(orders), catalog: await count(catalog) }
    const failing = orders.transaction(async (trx) => {
      await trx.insertInto('items').values({ id: 100, owner: 'orders' }).execute()
      await delay(100)
      throw new Error('rolled back')
    })
    // Queued behind the transaction: it must not land inside it (and be rolled back with it).
    const other = catalog.db.insertInto('items').values({ id: 100, owner: 'catalog' }).execute()
    await expect(failing).rejects.toThrow('rolled back')
    await other
    expect(await count(orders)).toBe(before.orders)
    expect(await count(catalog)).toBe(before.catalog + 1)
  })

  it('closes the instance with the last service and finds the data again', async () => {
    await orders.close()
    expect(await count(catalog)).toBe(11)
    await catalog.close()
    orders = await openDatabase(`pglite:${folder}?schema=orders`)
    catalog = await openDatabase(`pglite:${folder}?schema=catalog`)
    expect(await count(orders)).toBe(10)
    expect(await count(catalog)).toBe(11)
    await expect(migrate(orders, { migrations })).resolves.toEqual({ applied: [] })
  }, 60_000)

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openDatabase(`pglite:${folder}?schema=a";drop`)).rejects.toThrow(
      /lowercase identifier/,
    )
  })
})
