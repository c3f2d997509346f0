import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sql, type Kysely, type Migration } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import type { Database, DatabaseKind } from './database.js'
import { createFolderMigrationProvider, migrate } from './migrate.js'
import { openDatabase } from './open-database.js'

const folder = new URL('./test-migrations/', import.meta.url)

async function tableNames(database: Database): Promise<string[]> {
  const tables = await database.db.introspection.getTables({ withInternalKyselyTables: true })
  return tables.map((t) => t.name).sort()
}

async function history(database: Database, table: string): Promise<string[]> {
  const rows = await database.db.selectFrom(table).select('name').orderBy('name').execute()
  return rows.map((r) => r.name as string)
}

describe.each<DatabaseKind>(['postgres', 'mysql', 'pglite'])('migrate on %s', (kind) => {
  let test: TestDatabase
  let database: Database

  beforeAll(async () => {
    test = await createTestDatabase(kind)
    database = test.database
  })
  afterAll(() => test?.drop())

  it('creates the platform tables, then the service tables from a folder, each with its own history', async () => {
    const { applied } = await migrate(database, { migrations: folder })
    expect(applied).toEqual([
      'platform/001-create-outbox',
      'platform/002-create-inbox',
      'service/001-create-widgets',
      'service/002-create-gadgets',
    ])
    expect(await tableNames(database)).toEqual(
      expect.arrayContaining(['outbox', 'inbox', 'widgets', 'gadgets']),
    )
    expect(await history(database, 'platform_migrations')).toEqual([
      '001-create-outbox',
      '002-create-inbox',
    ])
    expect(await history(database, 'service_migrations')).toEqual([
      '001-create-widgets',
      '002-create-gadgets',
    ])
  })

  it('is idempotent: a second run applies nothing and keeps the data', async () => {
    await database.db.insertInto('widgets').values({ id: 'w1', name: 'kept' }).execute()
    const { applied } = await migrate(database, { migrations: folder })
    expect(applied).toEqual([])
    const rows = await database.db.selectFrom('widgets').selectAll().execute()
    expect(rows).toEqual([{ id: 'w1', name: 'kept' }])
  })

  it('applies a migration added later, and the outbox keeps ms precision', async () => {
    const extra: Record<string, Migration> = {
      '001-create-widgets': { up: async () => {} },
      '002-create-gadgets': { up: async () => {} },
      '003-create-sprockets': {
        up: (db: Kysely<any>) =>
          db.schema.createTable('sprockets').addColumn('id', 'integer').execute(),
      },
    }
    expect((await migrate(database, { migrations: extra })).applied).toEqual([
      'service/003-create-sprockets',
    ])
    const at = new Date('2026-01-02T03:04:05.678Z')
    await database.db
      .insertInto('outbox')
      .values({ id: 'e1', type: 'a.b', version: 1, payload: '{}', created_at: at })
      .execute()
    const row = await database.db
      .selectFrom('outbox')
      .select(['created_at', 'seq'])
      .where('id', '=', 'e1')
      .executeTakeFirstOrThrow()
    expect(new Date(row.created_at as Date).toISOString()).toBe(at.toISOString())
    expect(Number(row.seq)).toBeGreaterThan(0)
  })

  it('throws naming the migration that failed', async () => {
    const broken: Record<string, Migration> = {
      '001-create-widgets': { up: async () => {} },
      '002-create-gadgets': { up: async () => {} },
      '003-create-sprockets': { up: async () => {} },
      '004-broken': {
        up: async (db: Kysely<any>) => void (await sql`select * from no_such_table`.execute(db)),
      },
    }
    await expect(migrate(database, { migrations: broken })).rejects.toThrow(
      /migration service\/004-broken failed/,
    )
  })
})

describe.each<DatabaseKind>(['postgres', 'mysql'])('concurrent migrate on %s', (kind) => {
  let test: TestDatabase
  let other: Database

  beforeAll(async () => {
    test = await createTestDatabase(kind)
    other = await openDatabase(test.url)
  })
  afterAll(async () => {
    await other?.close()
    await test?.drop()
  })

  it('two replicas migrating at once both succeed, each migration runs once, one history', async () => {
    const runs: Record<string, number> = {}
    // Slow and not idempotent: without the migration lock both replicas would run it, and the
    // second `create table` would fail.
    const slow = (name: string, table: string): Migration => ({
      async up(db) {
        runs[name] = (runs[name] ?? 0) + 1
        await new Promise((resolve) => setTimeout(resolve, 300))
        await db.schema.createTable(table).addColumn('id', 'integer').execute()
      },
    })
    const migrations = { '001-a': slow('001-a', 'alpha'), '002-b': slow('002-b', 'beta') }
    const results = await Promise.all([
      migrate(test.database, { migrations }),
      migrate(other, { migrations }),
    ])
    expect(runs).toEqual({ '001-a': 1, '002-b': 1 })
    expect(results.flatMap((r) => r.applied).sort()).toEqual([
      'platform/001-create-outbox',
      'platform/002-create-inbox',
      'service/001-a',
      'service/002-b',
    ])
    expect(await history(test.database, 'platform_migrations')).toEqual([
      '001-create-outbox',
      '002-create-inbox',
    ])
    expect(await history(test.database, 'service_migrations')).toEqual(['001-a', '002-b'])
  })
})

describe('createFolderMigrationProvider', () => {
  it('refuses a module without up(), rather than skipping it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emporium-migrations-'))
    try {
      await writeFile(join(dir, '001-ok.mjs'), 'export async function up() {}\n')
      await writeFile(join(dir, '002-typo.mjs'), 'export async function upp() {}\n')
      await writeFile(join(dir, 'notes.md'), 'not a migration\n')
      const provider = createFolderMigrationProvider(pathToFileURL(dir))
      await expect(provider.getMigrations()).rejects.toThrow(/002-typo\.mjs .*no up\(db\)/)
      await rm(join(dir, '002-typo.mjs'))
      expect(Object.keys(await provider.getMigrations())).toEqual(['001-ok'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
