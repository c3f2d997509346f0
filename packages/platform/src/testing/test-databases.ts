import { randomBytes } from 'node:crypto'
import { openDatabase } from '../db/open-database.js'
import type { Database, DatabaseKind } from '../db/database.js'

/**
 * Servers the integration tests use; `npm run infra:up` creates these users, databases and
 * vhost. Each suite gets its own fresh database on them, so suites run in parallel.
 */
export const testServers = {
  postgres:
    process.env.TEST_POSTGRES_URL ?? 'postgres://emporium:emporium@127.0.0.1:5432/emporium_test',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://emporium:emporium@127.0.0.1:3306/emporium_test',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
  rabbitmq:
    process.env.TEST_RABBITMQ_URL ?? 'amqp://emporium:emporium@127.0.0.1:5672/emporium_test',
  nats: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
}

export interface TestDatabase {
  url: string
  database: Database
  /** Closes the connection and drops the database. */
  drop(): Promise<void>
}

/** A new, empty database of the given kind (PGlite: in memory, ~5 s to create; share it). */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const database = await openDatabase('pglite:memory')
    return { url: 'pglite:memory', database, drop: () => database.close() }
  }
  const name = `emporium_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  const adminUrl = testServers[kind]
  const admin = await openDatabase(adminUrl, { poolSize: 1 })
  const { sql } = await import('kysely')
  await sql.raw(`create database ${name}`).execute(admin.db)
  await admin.close()
  const url = withDatabaseName(adminUrl, name)
  const database = await openDatabase(url)
  return {
    url,
    database,
    async drop() {
      await database.close()
      const again = await openDatabase(adminUrl, { poolSize: 1 })
      try {
        const force = kind === 'postgres' ? ' with (force)' : ''
        await sql.raw(`drop database if exists ${name}${force}`).execute(again.db)
      } finally {
        await again.close()
      }
    },
  }
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
