// Vendure, set up from the npm registry for the catalog benchmark's peer rows (issue 20): its
// packages at a pinned version in a cache directory outside the repository (installed once), a
// PostgreSQL database of its own filled once with the sample data `@vendure/create` ships, and
// its server started on a spare port. Both caches are kept between runs, keyed by the version;
// `dropdb bench_vendure_<version>` or removing the directory sets them up again.
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

export const vendureVersion = '3.7.3'
const packages = {
  '@vendure/core': vendureVersion,
  '@vendure/create': vendureVersion, // for its sample data (assets/) only
  pg: '8.16.3',
}
const database = `bench_vendure_${vendureVersion.replace(/\W/g, '_')}`
const entry = fileURLToPath(new URL('./vendure-server.ts', import.meta.url))
const tsx = import.meta.resolve('tsx')

/** The cache directory with Vendure's packages, installed with npm when missing or outdated. */
export function installVendure(): Promise<string> {
  return installPeer({
    id: 'vendure',
    label: 'Vendure',
    version: vendureVersion,
    packages,
    timeoutMs: 600_000,
  })
}

/** Products in the cached database; 0 when it is missing or its population did not finish. */
async function populatedProducts(): Promise<number> {
  if (!(await isPopulated(database))) return 0
  return admin(async (c) => {
    const count = await c.query<{ n: number }>('select count(*)::int as n from product')
    return count.rows[0]!.n
  }, database)
}

function vendureEnv(dir: string, port: number): Record<string, string | undefined> {
  const url = new URL(servers.postgresAdmin)
  return {
    ...process.env,
    NODE_ENV: 'production',
    VENDURE_DISABLE_TELEMETRY: 'true', // no usage report to Vendure's servers from a bench
    VENDURE_DIR: dir,
    VENDURE_PORT: String(port),
    VENDURE_DB_HOST: url.hostname,
    VENDURE_DB_PORT: url.port || '5432',
    VENDURE_DB_USER: decodeURIComponent(url.username),
    VENDURE_DB_PASSWORD: decodeURIComponent(url.password),
    VENDURE_DB_NAME: database,
  }
}

async function runVendure(dir: string, mode: 'populate' | 'serve', port: number): Promise<Child> {
  return spawnChild(`vendure-${mode}`, runtimeNode(), ['--import', tsx, entry, mode], {
    env: vendureEnv(dir, port),
    cwd: dir, // the import writes its error log (the skipped images) to the working directory
  })
}

/** Creates and fills the database once (schema by synchronize, then the sample data). */
async function ensureDatabase(dir: string): Promise<number> {
  const ready = await populatedProducts()
  if (ready > 0) return ready
  console.error(`bench: populating ${database} with Vendure's sample data`)
  await recreateDatabase(database)
  await finished(await runVendure(dir, 'populate', await freePort()), "Vendure's populate")
  await markPopulated(database)
  return populatedProducts()
}

export interface RunningVendure {
  origin: string
  /** The Shop API's path on `origin`. */
  shopApi: string
  products: number
  stop(): Promise<void>
}

/** Installs (once), populates (once) and starts Vendure; stopped at the benchmark's cleanup. */
export async function startVendure(): Promise<RunningVendure> {
  const dir = await installVendure()
  const products = await ensureDatabase(dir)
  const { origin, child } = await servePeer((port) => runVendure(dir, 'serve', port))
  return { origin, shopApi: '/shop-api', products, stop: () => child.stop() }
}
