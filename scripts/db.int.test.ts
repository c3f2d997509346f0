import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNames } from '@emporium/contracts'
import { platformMigrations } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { runDb } from './db.js'

/** runDb with what it prints kept. */
async function db(args: string[], env: Record<string, string | undefined>) {
  const out: string[] = []
  const err: string[] = []
  const code = await runDb(
    args,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  )
  return { code, out, err: err.join('\n') }
}

const catalogMigrations = readdirSync(new URL('../services/catalog/migrations/', import.meta.url))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `service/${file.replace(/\.ts$/, '')}`)
const every = [...Object.keys(platformMigrations).map((m) => `platform/${m}`), ...catalogMigrations]

describe('scripts/db.ts against PostgreSQL', () => {
  let database: TestDatabase
  let env: Record<string, string>

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    env = { CATALOG_DATABASE_URL: database.url }
  })
  afterAll(async () => {
    await database?.drop()
  })

  it('lists every migration pending on a new database, then applies them, then none', async () => {
    const before = await db(['status', 'catalog'], env)
    expect(before.code).toBe(0)
    for (const name of every) {
      expect(before.out.find((l) => l.startsWith(`${name} `))).toMatch(/ pending$/)
    }
    expect(before.out.at(-1)).toBe(`catalog: 0 applied, ${every.length} pending`)

    const migrated = await db(['migrate', 'catalog'], env)
    expect(migrated.code).toBe(0)
    expect(migrated.out).toEqual(every.map((name) => `catalog: applied ${name}`))

    const after = await db(['status', 'catalog'], env)
    for (const name of every) {
      expect(after.out.find((l) => l.startsWith(`${name} `))).toMatch(/ applied \d{4}-\d\d-\d\dT/)
    }
    expect(after.out.at(-1)).toBe(`catalog: ${every.length} applied, 0 pending`)

    const again = await db(['migrate', 'catalog'], env)
    expect(again.out).toEqual(['catalog: up to date, nothing to apply'])
  })

  it('refuses an unknown service, naming the ones it knows', async () => {
    for (const name of ['catalogue', 'gateway']) {
      const answer = await db(['migrate', name], env)
      expect(answer.code).toBe(64)
      expect(answer.err).toContain(`no service named "${name}" has a database`)
      expect(answer.err).toContain(serviceNames.join(', '))
    }
  })

  it('says what is wrong with the command line or the database URL', async () => {
    expect((await db(['status'], env)).code).toBe(64)
    expect((await db(['drop', 'catalog'], env)).err).toMatch(/^usage: /)
    const unset = await db(['status', 'orders'], {})
    expect(unset.code).toBe(78)
    expect(unset.err).toMatch(/ORDERS_DATABASE_URL is required but not set/)
  })
})
