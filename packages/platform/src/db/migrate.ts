import { readdir } from 'node:fs/promises'
import { Migrator, type Migration, type MigrationProvider } from 'kysely'
import type { Database } from './database.js'
import { platformMigrations } from './platform-migrations.js'

export type { Migration }

export interface MigrateOptions {
  /**
   * The service's migrations: a folder of Kysely migration modules (`001-create-users.ts`, each
   * exporting `up(db)`), or the migrations themselves. Applied in name order.
   */
  migrations?: URL | Record<string, Migration>
  /** Also apply the platform's tables (outbox, inbox) first. Default true. */
  platform?: boolean
}

export interface MigrateResult {
  /** Names of the migrations this call applied, `platform/` or `service/` first. */
  applied: string[]
}

/*
 * Each history has its own tables, so a service may name a migration anything without colliding
 * with the platform's, and either list can grow on its own.
 */
const histories = {
  platform: {
    migrationTableName: 'platform_migrations',
    migrationLockTableName: 'platform_migrations_lock',
  },
  service: {
    migrationTableName: 'service_migrations',
    migrationLockTableName: 'service_migrations_lock',
  },
} as const

/**
 * Brings a service's database up to date: the platform's tables, then the service's own.
 * Safe when several replicas start at once: Kysely's Migrator holds a database lock while it
 * runs (an advisory lock on PostgreSQL, `get_lock` on MySQL), and a replica that waited finds the
 * migrations applied. Throws, naming the migration, when one fails.
 */
export async function migrate(
  database: Database,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const applied: string[] = []
  if (options.platform ?? true) {
    applied.push(...(await run(database, 'platform', fixed(platformMigrations))))
  }
  if (options.migrations) {
    applied.push(...(await run(database, 'service', providerOf(options.migrations))))
  }
  return { applied }
}

/** One migration of a service's database and whether it has been applied. */
export interface MigrationState {
  /** `platform/<name>` or `service/<name>`, as `migrate` reports what it applied. */
  name: string
  /** When it was applied; undefined while it is pending. */
  appliedAt?: Date
}

/**
 * What `migrate` would find: every migration of the platform (unless `platform: false`) and of
 * the service, in the order they apply, each applied or pending. Reads the history tables only,
 * and changes nothing (a database never migrated has every migration pending).
 */
export async function migrationStatus(
  database: Database,
  options: MigrateOptions = {},
): Promise<MigrationState[]> {
  const states: MigrationState[] = []
  const list = async (history: keyof typeof histories, provider: MigrationProvider) => {
    for (const info of await migratorOf(database, history, provider).getMigrations()) {
      states.push({
        name: `${history}/${info.name}`,
        ...(info.executedAt ? { appliedAt: info.executedAt } : {}),
      })
    }
  }
  if (options.platform ?? true) await list('platform', fixed(platformMigrations))
  if (options.migrations) await list('service', providerOf(options.migrations))
  return states
}

const providerOf = (migrations: URL | Record<string, Migration>): MigrationProvider =>
  migrations instanceof URL ? createFolderMigrationProvider(migrations) : fixed(migrations)

function migratorOf(
  database: Database,
  history: keyof typeof histories,
  provider: MigrationProvider,
): Migrator {
  return new Migrator({
    db: database.db,
    provider,
    ...histories[history],
    // Kysely looks for its history tables in every schema it can see: name this service's.
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  })
}

async function run(
  database: Database,
  history: keyof typeof histories,
  provider: MigrationProvider,
): Promise<string[]> {
  const { error, results = [] } = await migratorOf(database, history, provider).migrateToLatest()
  if (error) {
    const failed = results.find((r) => r.status === 'Error')
    const what = failed ? `migration ${history}/${failed.migrationName}` : `${history} migrations`
    throw new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  }
  return results.filter((r) => r.status === 'Success').map((r) => `${history}/${r.migrationName}`)
}

function fixed(migrations: Record<string, Migration>): MigrationProvider {
  return { getMigrations: async () => migrations }
}

const moduleFile = /^(?!.*\.d\.[mc]?ts$)(?!.*\.test\.[mc]?[jt]s$).+\.[mc]?[jt]s$/

/**
 * Reads a folder of migration modules. Unlike Kysely's FileMigrationProvider it imports file
 * URLs (portable across platforms) and fails on a module without `up`, so a misnamed export
 * cannot silently skip a migration.
 */
export function createFolderMigrationProvider(folder: URL): MigrationProvider {
  const base = folder.href.endsWith('/') ? folder : new URL(`${folder.href}/`)
  return {
    async getMigrations() {
      const files = (await readdir(base)).filter((f) => moduleFile.test(f)).sort()
      const migrations: Record<string, Migration> = {}
      for (const file of files) {
        const mod = (await import(new URL(file, base).href)) as Partial<Migration> & {
          default?: Partial<Migration>
        }
        const migration = typeof mod.up === 'function' ? mod : mod.default
        if (typeof migration?.up !== 'function') {
          throw new Error(`migration ${file} in ${base.pathname} exports no up(db) function`)
        }
        const name = file.slice(0, file.lastIndexOf('.'))
        if (migrations[name])
          throw new Error(`two migrations are named ${name} in ${base.pathname}`)
        migrations[name] = migration as Migration
      }
      return migrations
    },
  }
}
