import { resolve } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type TransactionSettings,
} from 'kysely'
import { newPGlite } from './pglite-template.js'

/*
 * The embedded mode runs every service in one process. A PGlite instance per service costs each
 * a WebAssembly Postgres (an initdb of ~5 s on first start, ~35 MB and more as its buffers fill),
 * so the services share one instance there, each in a schema of its own: its tables, outbox,
 * inbox and migration history live in that schema and it sees no other (its `search_path` is
 * set whenever the one connection passes to it). PGlite has a single connection; one queue for
 * every service serializes them, a transaction holding the connection until it ends.
 */

/** Postgres settings sized for a laptop demo rather than a server (the default is 128 MB). */
const embeddedSettings = [
  'shared_buffers = 16MB',
  'work_mem = 4MB',
  'temp_buffers = 2MB',
  'maintenance_work_mem = 16MB',
]

interface Shared {
  key: string
  client: PGlite
  /** The driver of kysely-pglite-dialect: its queue serializes the one connection. */
  driver: Driver
  users: number
  searchPath?: string
}

/**
 * The extensions PGlite may create (`create extension`): pg_trgm, for the catalog's typo-tolerant
 * search (issue 17). Loading one costs nothing measurable at start; its files are unpacked only
 * when a database creates it.
 */
export async function pgliteExtensions() {
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm')
  return { pg_trgm }
}

const instances = new Map<string, Promise<Shared>>()
/** Instances being closed: one opened again waits for the files to be let go. */
const closing = new Map<string, Promise<void>>()

/** `folder` is a path or `memory`; `schema` a lowercase identifier. */
export async function sharedPGliteDialect(folder: string, schema: string): Promise<Dialect> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`PGlite schema must be a lowercase identifier: ${schema}`)
  const key = folder === 'memory' ? 'memory' : resolve(folder)
  let pending = instances.get(key)
  if (!pending) {
    await closing.get(key)
    pending = instances.get(key)
  }
  if (!pending) {
    pending = open(key, folder)
    instances.set(key, pending)
    pending.catch(() => instances.delete(key))
  }
  const shared = await pending
  shared.users++
  const driver = new SchemaDriver(shared, schema)
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  }
}

async function open(key: string, folder: string): Promise<Shared> {
  const { PGlite } = await import('@electric-sql/pglite')
  const { PGliteDialect } = await import('kysely-pglite-dialect')
  const options = { postgresqlconf: embeddedSettings, extensions: await pgliteExtensions() }
  const client = await newPGlite(PGlite, folder === 'memory' ? undefined : folder, options)
  return { key, client, driver: new PGliteDialect(client).createDriver(), users: 0 }
}

class SchemaDriver implements Driver {
  private created = false

  constructor(
    private readonly shared: Shared,
    private readonly schema: string,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // PGlite runs each query on this thread, and its answers resolve as microtasks: a chain of
    // them would keep the event loop from polling sockets for as long as the work lasts, so that
    // requests (even those a service would shed at once) wait unread. One turn of the loop per
    // statement or transaction lets them in.
    await new Promise<void>((resolve) => setImmediate(resolve))
    const connection = await this.shared.driver.acquireConnection()
    try {
      if (this.shared.searchPath !== this.schema) {
        // Outside any transaction (begin comes after), so no rollback undoes it.
        if (!this.created) {
          await connection.executeQuery(
            CompiledQuery.raw(`create schema if not exists "${this.schema}"`),
          )
          this.created = true
        }
        this.shared.searchPath = undefined
        await connection.executeQuery(
          CompiledQuery.raw(`set search_path to "${this.schema}", public`),
        )
        this.shared.searchPath = this.schema
      }
    } catch (error) {
      await this.shared.driver.releaseConnection(connection)
      throw error
    }
    return connection
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    return this.shared.driver.beginTransaction(connection, settings)
  }

  commitTransaction(connection: DatabaseConnection) {
    return this.shared.driver.commitTransaction(connection)
  }

  rollbackTransaction(connection: DatabaseConnection) {
    return this.shared.driver.rollbackTransaction(connection)
  }

  releaseConnection(connection: DatabaseConnection) {
    return this.shared.driver.releaseConnection(connection)
  }

  /** The last service to close the instance closes PGlite. */
  async destroy(): Promise<void> {
    if (--this.shared.users > 0) return
    const { key } = this.shared
    instances.delete(key)
    const done = this.shared.driver.destroy().finally(() => closing.delete(key))
    closing.set(key, done)
    await done
  }
}
