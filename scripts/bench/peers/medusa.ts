// Medusa, set up from the npm registry for the catalog benchmark's peer rows (issue 20): its
// packages at a pinned version in a cache directory outside the repository (installed once), the
// configuration and catalog script of medusa-project/ copied beside them, a PostgreSQL database
// of its own migrated and filled once through Medusa's own CLI (`medusa db:migrate`, `medusa
// exec`), and `medusa start` on a spare port. Both caches are kept between runs, keyed by the
// version; `dropdb bench_medusa_<version>` or removing the directory sets them up again.
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { servers } from '../lib/platform.js'
import { freePort, runtimeNode, spawnChild, type Child } from '../lib/processes.js'
import {
  admin,
  finished,
  installPeer,
  isPopulated,
  markPopulated,
  recreateDatabase,
  servePeer,
} from './peer-setup.js'

export const medusaVersion = '2.21.2'
const packages = {
  '@medusajs/medusa': medusaVersion,
  '@medusajs/framework': medusaVersion,
  '@medusajs/cli': medusaVersion,
}
const database = `bench_medusa_${medusaVersion.replace(/\W/g, '_')}`
const project = fileURLToPath(new URL('./medusa-project/', import.meta.url))

/** The cache directory with Medusa's packages and the project's two files. */
export async function installMedusa(): Promise<string> {
  const dir = await installPeer({
    id: 'medusa',
    label: 'Medusa',
    version: medusaVersion,
    packages,
    timeoutMs: 900_000,
  })
  // CommonJS in the project (its package.json has no "type"), as Medusa loads them.
  copyFileSync(join(project, 'medusa-config.cjs'), join(dir, 'medusa-config.js'))
  copyFileSync(join(project, 'seed.cjs'), join(dir, 'seed.js'))
  return dir
}

function medusaEnv(port: number): Record<string, string | undefined> {
  const url = new URL(servers.postgresAdmin)
  url.pathname = `/${database}`
  return {
    ...process.env,
    NODE_ENV: 'production',
    MEDUSA_DISABLE_TELEMETRY: 'true', // no usage report to Medusa's servers from a bench
    DATABASE_URL: url.toString(),
    PORT: String(port),
  }
}

function medusaCli(dir: string, args: string[], port: number): Child {
  const cli = join(dir, 'node_modules/@medusajs/cli/cli.js')
  return spawnChild(`medusa-${args[0]}`, runtimeNode(), [cli, ...args], {
    env: medusaEnv(port),
    cwd: dir,
  })
}

async function runToEnd(dir: string, args: string[]): Promise<void> {
  await finished(medusaCli(dir, args, await freePort()), `medusa ${args.join(' ')}`)
}

/** What the Store API needs from the cached database; undefined when it is not ready. */
interface Storefront {
  publishableKey: string
  regionId: string
  products: number
}

async function storefront(): Promise<Storefront | undefined> {
  if (!(await isPopulated(database))) return undefined
  return admin(async (c) => {
    const found = await c.query<Storefront>(
      `select (select token from api_key where title = 'emporium-bench' and revoked_at is null
                limit 1) as "publishableKey",
              (select id from region where name = 'Europe' and deleted_at is null limit 1)
                as "regionId",
              (select count(*)::int from product where deleted_at is null) as products`,
    )
    const row = found.rows[0]
    return row?.publishableKey && row.regionId ? row : undefined
  }, database)
}

/** Creates, migrates and fills the database once. */
async function ensureDatabase(dir: string): Promise<Storefront> {
  const ready = await storefront()
  if (ready) return ready
  console.error(`bench: migrating and filling ${database} through Medusa's CLI`)
  await recreateDatabase(database)
  await runToEnd(dir, ['db:migrate'])
  await runToEnd(dir, ['exec', './seed.js'])
  await markPopulated(database)
  const filled = await storefront()
  if (!filled) throw new Error(`${database}: no publishable key or region after the seed`)
  return filled
}

export interface RunningMedusa extends Storefront {
  origin: string
  stop(): Promise<void>
}

/** Installs (once), fills (once) and starts Medusa; stopped at the benchmark's cleanup. */
export async function startMedusa(): Promise<RunningMedusa> {
  const dir = await installMedusa()
  const ready = await ensureDatabase(dir)
  const { origin, child } = await servePeer((port) => medusaCli(dir, ['start'], port))
  return { ...ready, origin, stop: () => child.stop() }
}
