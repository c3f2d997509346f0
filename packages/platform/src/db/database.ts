import { type Kysely, MysqlAdapter, type Transaction } from 'kysely'
import type { ListenOptions, Listening } from './listen.js'

export type DatabaseKind = 'postgres' | 'mysql' | 'pglite'
/** SQL dialect: PGlite speaks PostgreSQL. */
export type SqlDialect = 'postgres' | 'mysql'

/**
 * One way to reach a service's own database, whatever it is. Business code uses `db` (Kysely)
 * and `transaction`; `kind` is for the rare statement that differs between dialects.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- `Database` alone is any service's database, whose tables the caller knows
export interface Database<DB = any> {
  readonly kind: DatabaseKind
  readonly dialect: SqlDialect
  readonly db: Kysely<DB>
  /** The service's own schema when it shares a database with others (the embedded PGlite). */
  readonly schema?: string
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>
  /**
   * Runs `listener` after each commit of a transaction that wrote outbox rows (the relay wakes
   * on it rather than waiting for its next poll). Returns what stops the listening.
   */
  onOutboxCommit(listener: () => void): () => void
  /**
   * PostgreSQL only: the `application_name` of this pool's connections, `<name>-<random>`,
   * unique to this opening of the database: a trigger's `current_setting('application_name')`
   * names the writer by it, so that a listener can tell its own process's writes from others'.
   */
  readonly applicationName?: string
  /** PostgreSQL only: `LISTEN` on a connection of its own, connected again when lost (listen.ts). */
  listen?(options: ListenOptions): Listening
  /** Throws when the database cannot answer; used by `/readyz`. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** The dialect behind any Kysely instance or transaction (for migrations and shared SQL). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely instance (Kysely<DB> is invariant in DB)
export function dialectOf(db: Kysely<any>): SqlDialect {
  return db.getExecutor().adapter instanceof MysqlAdapter ? 'mysql' : 'postgres'
}
