import { type Dialect, Kysely, MysqlDialect, PostgresDialect, sql } from 'kysely'
import { randomBytes } from 'node:crypto'
import { withCommitSignal } from './commit-signal.js'
import type { Database, DatabaseKind } from './database.js'
import { listenOn } from './listen.js'
import { namingClient } from './named-statements.js'
import { newPGlite } from './pglite-template.js'
import { pgliteExtensions, sharedPGliteDialect } from './shared-pglite.js'

export interface OpenDatabaseOptions {
  /** Pool size for PostgreSQL and MySQL (PGlite has exactly one connection). */
  poolSize?: number
  /**
   * PostgreSQL: send statements with parameters as named statements, planned once per connection
   * (named-statements.ts). On by default; off for a pooler that cannot keep them (PgBouncer in
   * transaction mode before 1.21).
   */
  namedStatements?: boolean
  /**
   * PostgreSQL: defer each transaction's `begin` to its first statement, both written at once on
   * a pipelined connection (named-statements.ts). On by default.
   */
  deferBegin?: boolean
  /**
   * PostgreSQL: what the connections' `application_name` begins with (default `emporium`); a
   * random suffix makes it this opening's own (`Database.applicationName`).
   */
  name?: string
}

/** How long a pooled PostgreSQL connection may stay unused before it is closed. */
export const idleConnectionMs = 5 * 60_000

/**
 * Opens a database from a URL: `postgres://…` (pg), `mysql://…` (mysql2) or `pglite:<folder>` /
 * `pglite:memory` (embedded PGlite). Drivers are loaded lazily so a service only loads its own.
 * `pglite:<folder>?schema=<name>` shares one PGlite instance per folder between the services of
 * a process, each in its own schema (see shared-pglite.ts): the embedded mode's default.
 *
 * PGlite has a single connection that kysely-pglite-dialect serializes: never use `db` while a
 * transaction on the same database is open in the same flow, or it waits for itself.
 */
export async function openDatabase(
  url: string,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  const poolSize = options.poolSize ?? 10
  const kind = kindOf(url)
  const listeners: Array<() => void> = []
  const deferBegin = kind === 'postgres' && options.deferBegin !== false
  const watch = (dialect: Dialect) =>
    withCommitSignal(
      dialect,
      () => {
        for (const listener of listeners) listener()
      },
      { pipelined: deferBegin },
    )
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the service's tables are its own; `Database` hands them on as any
  let db: Kysely<any>
  let schema: string | undefined
  let postgres: Pick<Database, 'applicationName' | 'listen'> = {}
  if (kind === 'postgres') {
    const { default: pg } = await import('pg')
    // BIGINT and NUMERIC as strings would leak into JSON; counts fit in a double.
    pg.types.setTypeParser(20, (v) => Number(v))
    const applicationName = `${options.name ?? 'emporium'}-${randomBytes(4).toString('hex')}`
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      // A connection unused for 5 minutes is closed (node-postgres' default is 10 s). A new one
      // costs PostgreSQL its start, its text-search dictionaries on the first search (10–20 ms),
      // and five planned runs of each named statement before the generic plan: closed after 10 s,
      // every lull between bursts paid that again (docs/performance.md, "Pooled connections kept").
      idleTimeoutMillis: idleConnectionMs,
      application_name: applicationName,
      Client: namingClient(pg, {
        named: options.namedStatements !== false,
        deferBegin,
      }),
    })
    // A connection handed back with a `begin` no statement followed must not open a transaction
    // for its next user (named-statements.ts).
    pool.on('release', (_error, client) => {
      ;(client as { discardPendingBegin?: () => void }).discardPendingBegin?.()
    })
    postgres = {
      applicationName,
      listen: (listenOptions) =>
        listenOn(
          pg.Client,
          {
            connectionString: url,
            application_name: `${applicationName}-listen`,
            // A server that accepts and never answers, or a connection that dies silently,
            // ends in a new try rather than a listener that waits forever.
            connectionTimeoutMillis: 10_000,
            keepAlive: true,
          },
          listenOptions,
        ),
    }
    // A connection the server drops (a restart, a failover, pg_terminate_backend) is an 'error'
    // event: on the pool when the connection is idle there, on the client when it is checked out
    // between two queries (a transaction waiting on the broker). Unheard, either crashes the
    // process. The pool discards such a connection; the next query on it fails and its caller
    // sees that; new queries get a new connection.
    pool.on('error', () => {})
    pool.on('connect', (client) => client.on('error', () => {}))
    db = new Kysely({ dialect: watch(new PostgresDialect({ pool })) })
  } else if (kind === 'mysql') {
    const { createPool } = await import('mysql2')
    const pool = createPool({
      uri: url,
      connectionLimit: poolSize,
      timezone: 'Z',
      supportBigNumbers: true,
      dateStrings: false,
    })
    db = new Kysely({ dialect: watch(new MysqlDialect({ pool })) })
  } else if (url.includes('?schema=')) {
    const [location, name] = url.slice('pglite:'.length).replace(/^\/\//, '').split('?schema=')
    schema = name!
    db = new Kysely({ dialect: watch(await sharedPGliteDialect(location || 'memory', schema)) })
  } else {
    const { PGlite } = await import('@electric-sql/pglite')
    const { PGliteDialect } = await import('kysely-pglite-dialect')
    const folder = url.slice('pglite:'.length).replace(/^\/\//, '')
    const options = { extensions: await pgliteExtensions() }
    const memory = folder === 'memory' || folder === ''
    const client = await newPGlite(PGlite, memory ? undefined : folder, options)
    db = new Kysely({ dialect: watch(new PGliteDialect(client)) })
  }
  return {
    kind,
    dialect: kind === 'mysql' ? 'mysql' : 'postgres',
    db,
    ...(schema ? { schema } : {}),
    ...postgres,
    transaction: (fn) => db.transaction().execute(fn),
    onOutboxCommit: (listener) => {
      listeners.push(listener)
      return () => {
        const at = listeners.indexOf(listener)
        if (at >= 0) listeners.splice(at, 1)
      }
    },
    ping: async () => {
      await sql`select 1`.execute(db)
    },
    close: () => db.destroy(),
  }
}

export function kindOf(url: string): DatabaseKind {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres'
  if (/^mysql:\/\//.test(url) || /^mariadb:\/\//.test(url)) return 'mysql'
  if (url.startsWith('pglite:')) return 'pglite'
  throw new Error(
    `unsupported database URL scheme (want postgres://, mysql:// or pglite:): ${url.split(':')[0]}`,
  )
}
