import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { createOutbox, migrate, type DatabaseKind } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import * as createCatalog from '../migrations/001-create-catalog.js'
import * as listingIndexes from '../migrations/002-listing-indexes.js'
import * as searchTrigram from '../migrations/003-search-trigram.js'
import { createKyselyStore } from '../src/infra/kysely-store.js'

const folder = new URL('../migrations/', import.meta.url)

/**
 * Migration 003 makes what the service made at every start before it: pg_trgm and the trigram
 * index where it can: PostgreSQL, and PGlite since `openDatabase` loads its pg_trgm (issue 17).
 */
describe.each<DatabaseKind>(['postgres', 'pglite'])('migration 003 on %s', (kind) => {
  const databases: TestDatabase[] = []
  afterAll(() => Promise.all(databases.map((d) => d.drop())))

  async function fresh(): Promise<TestDatabase> {
    const test = await createTestDatabase(kind)
    databases.push(test)
    return test
  }
  const typoSearch = (test: TestDatabase) =>
    createKyselyStore({
      database: test.database,
      outbox: createOutbox({ source: 'catalog' }),
    }).detectSearchFeatures()

  it('makes pg_trgm and its index where it can', async () => {
    const test = await fresh()
    const { applied } = await migrate(test.database, { migrations: folder })
    expect(applied).toContain('service/003-search-trigram')
    expect(await typoSearch(test)).toBe(true)
  })

  it('changes nothing on a database whose start-up made them before', async () => {
    const test = await fresh()
    await migrate(test.database, {
      migrations: { '001-create-catalog': createCatalog, '002-listing-indexes': listingIndexes },
    })
    // What start-up ran before 003.
    await sql`create extension if not exists pg_trgm`.execute(test.database.db)
    await sql`create index if not exists products_name_trgm_idx on products using gin (lower(name) gin_trgm_ops) with (fastupdate = off)`.execute(
      test.database.db,
    )
    const { applied } = await migrate(test.database, {
      migrations: {
        '001-create-catalog': createCatalog,
        '002-listing-indexes': listingIndexes,
        '003-search-trigram': searchTrigram,
      },
    })
    expect(applied).toEqual(['service/003-search-trigram'])
    expect(await typoSearch(test)).toBe(true)
  })
})
