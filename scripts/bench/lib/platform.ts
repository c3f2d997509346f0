// The platform as the benchmarks run it: the distributed mode (one process per service, settings
// from `.env.example` with ports, databases and vhost of this run) or the embedded one, on spare
// ports, with scratch databases, a scratch vhost and Redis keys that are all removed afterwards.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Redis } from 'ioredis'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { declarationOf, serviceNames, type ServiceName as DeclaredName } from '@emporium/contracts'
import { distributedEnvironment } from '../../distributed-env.js'
import { onCleanup } from './cleanup.js'
import {
  freePort,
  freePorts,
  processCpu,
  run,
  runtimeNode,
  scratchDir,
  sleep,
  spawnChild,
  spawnTsx,
  treeCpu,
  waitForHttp,
  type Child,
} from './processes.js'

/**
 * How the distributed mode's services run: `bundle`, as the images run them (the esbuild bundle
 * of deploy/docker/bundle.mjs, `node --enable-source-maps main.mjs` in its directory; built into
 * `dist/` once per bench run), or `tsx`, from the sources (`--tsx`; tsx's transform costs a
 * little CPU per request: every function it compiles is named at run time). The embedded mode
 * always runs as `npm start` does, under tsx.
 */
let serviceRuntime: 'bundle' | 'tsx' = 'bundle'

export function setServiceRuntime(runtime: 'bundle' | 'tsx'): void {
  serviceRuntime = runtime
}

const bundled = new Set<ServiceName>()

/** Bundles `services` that this run has not bundled yet (the gateway's needs the storefront). */
async function bundle(services: ServiceName[]): Promise<void> {
  const missing = services.filter((service) => !bundled.has(service))
  if (missing.length === 0) return
  if (missing.includes('gateway') && !existsSync('apps/storefront/dist/index.html')) {
    await run('npm', ['run', 'build', '-w', 'apps/storefront'])
  }
  await run(process.execPath, ['deploy/docker/bundle.mjs', ...missing])
  for (const service of missing) bundled.add(service)
}

function spawnService(
  service: ServiceName,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Child {
  if (serviceRuntime === 'tsx') {
    return spawnTsx(service, `services/${service}/src/main.ts`, env, { nodeArgs })
  }
  return spawnChild(service, runtimeNode(), ['--enable-source-maps', ...nodeArgs, 'main.mjs'], {
    env: { ...process.env, ...env },
    cwd: resolve('dist', service),
  })
}

/** A short id of this run, in every scratch name (databases, vhost, Redis keys). */
export const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`

export const servers = {
  postgresAdmin: 'postgres://postgres@127.0.0.1:5432/postgres',
  mysqlAdmin: 'mysql://root@127.0.0.1:3306/',
  redis: 'redis://127.0.0.1:6379/0',
  rabbitmqHost: 'amqp://guest:guest@127.0.0.1:5672',
}

const scratchPrefix = 'emporium_bench_'

/**
 * When the run that named a scratch database or vhost began (its run id starts with the time,
 * base 36), or undefined for a name that is not a bench run's.
 */
export function scratchRunStarted(name: string): Date | undefined {
  if (!name.startsWith(scratchPrefix)) return undefined
  const id = name.slice(scratchPrefix.length).split('_')[0]!
  if (!/^[0-9a-z]{5,}$/.test(id)) return undefined
  const time = parseInt(id.slice(0, -4), 36)
  return Number.isSafeInteger(time) && time > Date.UTC(2020, 0, 1) ? new Date(time) : undefined
}

/**
 * Removes what bench runs that were killed before their cleanup left on the shared servers:
 * their PostgreSQL and MariaDB databases and RabbitMQ vhosts, when the run began more than
 * `olderThanMs` ago (a day: a run of someone else's in progress is left alone). Says what it
 * removed; a server it cannot reach is skipped with a word, since the run itself will need it.
 */
export async function sweepLeftovers(olderThanMs = 24 * 60 * 60 * 1_000): Promise<string[]> {
  const old = (name: string) => {
    const started = scratchRunStarted(name)
    return started !== undefined && Date.now() - started.getTime() > olderThanMs
  }
  const removed: string[] = []
  const sweep = async (
    server: string,
    list: () => Promise<string[]>,
    drop: (name: string) => Promise<void>,
  ) => {
    try {
      for (const name of (await list()).filter(old)) {
        await drop(name)
        removed.push(`${server} ${name}`)
      }
    } catch (error) {
      console.error(`bench: could not sweep ${server} leftovers:`, (error as Error).message)
    }
  }
  await sweep(
    'PostgreSQL',
    async () => {
      const client = new pg.Client(servers.postgresAdmin)
      await client.connect()
      try {
        const { rows } = await client.query<{ datname: string }>(
          `select datname from pg_database where starts_with(datname, $1)`,
          [scratchPrefix],
        )
        return rows.map((r) => r.datname)
      } finally {
        await client.end()
      }
    },
    (name) => postgresAdmin(`drop database if exists ${name} with (force)`),
  )
  await sweep(
    'MariaDB',
    async () => {
      const connection = await mysql.createConnection(servers.mysqlAdmin)
      try {
        const [rows] = await connection.query('show databases')
        return (rows as Array<{ Database: string }>).map((r) => r.Database)
      } finally {
        await connection.end()
      }
    },
    (name) => mysqlAdmin(`drop database if exists ${name}`),
  )
  await sweep(
    'RabbitMQ',
    async () =>
      (await run('rabbitmqctl', ['-q', 'list_vhosts', 'name'], { timeoutMs: 60_000 }))
        .split('\n')
        .map((line) => line.trim()),
    async (name) => {
      await run('rabbitmqctl', ['-q', 'delete_vhost', name], { timeoutMs: 60_000 })
    },
  )
  return removed
}

/** A PostgreSQL database owned by `emporium`, dropped at cleanup; returns its URL. */
export async function scratchPostgres(name: string): Promise<string> {
  const database = `${scratchPrefix}${runId}_${name}`
  await postgresAdmin(`create database ${database} owner emporium`)
  onCleanup(`drop database ${database}`, () =>
    postgresAdmin(`drop database if exists ${database} with (force)`),
  )
  return `postgres://emporium:emporium@127.0.0.1:5432/${database}`
}

/** Runs one statement as the superuser, retrying for a minute while the server restarts. */
export async function postgresAdmin(statement: string): Promise<void> {
  await whileRestarting(async () => {
    const client = new pg.Client(servers.postgresAdmin)
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  })
}

/**
 * Retries `work` while a server refuses connections or is starting up: on a shared machine
 * someone else's test may restart it (the chaos runner does), and a scratch database or vhost
 * must still be removed.
 */
async function whileRestarting(work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      return await work()
    } catch (error) {
      const text = `${(error as { code?: string }).code ?? ''} ${(error as Error).message}`
      const transient =
        /ECONNREFUSED|ECONNRESET|57P03|starting up|shutting down|nodedown|start_app|unable to/.test(
          text,
        )
      if (!transient || Date.now() > deadline) throw error
      await sleep(1_000)
    }
  }
}

/**
 * CPU time so far of the PostgreSQL backends serving this run's databases, by backend pid
 * (backends run on this machine; the server is shared, its other backends are left out).
 * `services` keeps the backends of the databases whose service name (the database's name
 * without the run's prefix) it accepts: all of them when absent.
 */
export async function postgresBackendsCpu(
  services: (service: string) => boolean = () => true,
): Promise<Map<number, number>> {
  const prefix = `${scratchPrefix}${runId}_`
  const client = new pg.Client(servers.postgresAdmin)
  await client.connect()
  try {
    const { rows } = await client.query<{ pid: number; datname: string }>(
      'select pid, datname from pg_stat_activity where datname like $1',
      [`${prefix}%`],
    )
    return new Map(
      rows
        .filter((row) => services(row.datname.slice(prefix.length)))
        .map((row) => [row.pid, processCpu(row.pid)]),
    )
  } finally {
    await client.end()
  }
}

/**
 * Transactions committed so far in this run's PostgreSQL databases (pg_stat_database), in all
 * and by service (the database's name without the run's prefix).
 */
export async function postgresCommits(): Promise<number> {
  const byService = await postgresCommitsByService()
  return [...byService.values()].reduce((sum, n) => sum + n, 0)
}

export async function postgresCommitsByService(): Promise<Map<string, number>> {
  const prefix = `${scratchPrefix}${runId}_`
  const client = new pg.Client(servers.postgresAdmin)
  await client.connect()
  try {
    const { rows } = await client.query<{ datname: string; n: string | null }>(
      'select datname, xact_commit as n from pg_stat_database where datname like $1',
      [`${prefix}%`],
    )
    return new Map(rows.map((row) => [row.datname.slice(prefix.length), Number(row.n ?? 0)]))
  } finally {
    await client.end()
  }
}

/** A MariaDB database (`emporium` may use every `emporium_%` one), dropped at cleanup. */
export async function scratchMysql(name: string): Promise<string> {
  const database = `${scratchPrefix}${runId}_${name}`
  await mysqlAdmin(`create database ${database}`)
  onCleanup(`drop database ${database}`, () => mysqlAdmin(`drop database if exists ${database}`))
  return `mysql://emporium:emporium@127.0.0.1:3306/${database}`
}

async function mysqlAdmin(statement: string): Promise<void> {
  await whileRestarting(async () => {
    const connection = await mysql.createConnection(servers.mysqlAdmin)
    try {
      await connection.query(statement)
    } finally {
      await connection.end()
    }
  })
}

/** A RabbitMQ vhost `guest` may use, deleted (with its queues) at cleanup; returns its URL. */
export async function scratchVhost(): Promise<string> {
  const vhost = `${scratchPrefix}${runId}`
  await run('rabbitmqctl', ['-q', 'add_vhost', vhost], { timeoutMs: 60_000 })
  onCleanup(`delete vhost ${vhost}`, () =>
    whileRestarting(async () => {
      await run('rabbitmqctl', ['-q', 'delete_vhost', vhost], { timeoutMs: 60_000 })
    }),
  )
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'], {
    timeoutMs: 60_000,
  })
  return `${servers.rabbitmqHost}/${vhost}`
}

/** Deletes the Redis keys matching `pattern` (SCAN, never KEYS). */
export async function deleteRedisKeys(patterns: string[]): Promise<number> {
  const redis = new Redis(servers.redis, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  let deleted = 0
  try {
    for (const pattern of patterns) {
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
        cursor = next
        if (keys.length > 0) deleted += await redis.del(...keys)
      } while (cursor !== '0')
    }
  } finally {
    redis.disconnect()
  }
  return deleted
}

/** A declared service (packages/contracts/src/services.ts), or the gateway. */
export type ServiceName = DeclaredName | 'gateway'

/** Every process of the distributed mode, the gateway last. */
export const everyService: ServiceName[] = [...serviceNames, 'gateway']

export interface Distributed {
  /** The gateway's origin (or undefined when it was not started). */
  gateway?: string
  /** Each started service's origin. */
  urls: Partial<Record<ServiceName, string>>
  children: Partial<Record<ServiceName, Child>>
  /** Each started service's database URL. */
  databases: Partial<Record<ServiceName, string>>
  env: Record<string, string>
  stop(): Promise<void>
}

const envPrefix = (service: ServiceName) =>
  service === 'gateway' ? 'GATEWAY' : declarationOf(service).env
const portKey = (service: ServiceName) =>
  service === 'gateway' ? 'PORT' : `${envPrefix(service)}_PORT`

/**
 * Starts `services` of the distributed mode with `.env.example`'s settings (over what the
 * declarations imply, scripts/distributed-env.ts), except: ports from the spare range, scratch
 * databases, a scratch vhost, the gateway's Redis keys under a prefix of this run, and
 * `overrides` last. Services not started leave their gateway URLs empty.
 */
export async function startDistributed(
  services: ServiceName[],
  overrides: Record<string, string> = {},
  options: {
    nodeArgs?: Partial<Record<ServiceName, string[]>>
    /**
     * Services started (and ready) before the others, e.g. the consumers of the catalog's
     * product events, so that their queues are bound before the catalog seeds its products.
     */
    first?: ServiceName[]
  } = {},
): Promise<Distributed> {
  const example = distributedEnvironment(readFileSync('.env.example', 'utf8'))
  const env: Record<string, string> = { ...example }
  const ports = new Map<string, number>()
  const all: ServiceName[] = [...serviceNames]
  for (const service of [...all, 'gateway' as const]) {
    const old = example[portKey(service)]
    if (old) ports.set(old, await freePort())
  }
  for (const [key, value] of Object.entries(env)) {
    env[key] = value.replace(/127\.0\.0\.1:(\d+)/g, (text, port: string) => {
      const mapped = ports.get(port)
      return mapped ? `127.0.0.1:${mapped}` : text
    })
  }
  for (const [old, port] of ports) {
    for (const service of [...all, 'gateway' as const]) {
      if (example[portKey(service)] === old) env[portKey(service)] = String(port)
    }
  }
  for (const service of all) {
    if (!services.includes(service)) env[`GATEWAY_${envPrefix(service)}_URLS`] = ''
  }
  const databases: Partial<Record<ServiceName, string>> = {}
  for (const service of services) {
    const key = `${envPrefix(service)}_DATABASE_URL`
    const url = env[key]
    if (!url) continue
    databases[service] = url.startsWith('mysql')
      ? await scratchMysql(service)
      : await scratchPostgres(service)
    env[key] = databases[service]!
  }
  if (services.some((s) => s !== 'gateway')) env.RABBITMQ_URL = await scratchVhost()
  const dir = scratchDir('distributed')
  env.USERS_SIGNING_KEY_FILE = join(dir, 'users-signing-keys.json')
  env.ORDERS_SERVICE_KEY_FILE = join(dir, 'orders-service-keys.json')
  env.GATEWAY_REDIS_KEY_PREFIX = `emporium-bench:${runId}:`
  // The gateway's /readyz and /metrics are on its management port.
  env.GATEWAY_MANAGEMENT_PORT = String(await freePort())
  env.GATEWAY_MANAGEMENT_HOST = '127.0.0.1'
  onCleanup('delete Redis keys', async () => {
    await deleteRedisKeys([`emporium-bench:${runId}:*`])
  })
  Object.assign(env, overrides)

  const children: Partial<Record<ServiceName, Child>> = {}
  const urls: Partial<Record<ServiceName, string>> = {}
  const start = async (service: ServiceName) => {
    const child = spawnService(service, env, options.nodeArgs?.[service])
    children[service] = child
    const url = `http://127.0.0.1:${env[portKey(service)]}`
    const management =
      service === 'gateway' ? `http://127.0.0.1:${env.GATEWAY_MANAGEMENT_PORT}` : url
    await waitForHttp(`${management}/readyz`, { child, timeoutMs: 120_000 })
    urls[service] = url
  }
  // Past SHUTDOWN_TIMEOUT_SECONDS a service exits anyway; SIGKILL only after that.
  const graceMs = (Number(env.SHUTDOWN_TIMEOUT_SECONDS) || 20) * 1000 + 5_000
  const stop = async () => {
    // The gateway first, then the rest at once (each drains its own work).
    await children.gateway?.stop(graceMs)
    await Promise.all(Object.values(children).map((child) => child.stop(graceMs)))
  }
  try {
    if (serviceRuntime === 'bundle') await bundle(services)
    const first = services.filter((s) => options.first?.includes(s) && s !== 'gateway')
    await Promise.all(first.map(start))
    await Promise.all(services.filter((s) => s !== 'gateway' && !first.includes(s)).map(start))
    if (services.includes('gateway')) await start('gateway')
  } catch (error) {
    await stop()
    throw error
  }
  return { gateway: urls.gateway, urls, children, databases, env, stop }
}

export interface Embedded {
  gateway: string
  /** The catalog service's own origin inside the embedded process. */
  catalog: string
  dataDir: string
  child: Child
  stop(): Promise<void>
}

/**
 * `npm start`'s process (`tsx apps/all-in-one/src/main.ts`) on spare ports with its own DATA_DIR
 * (a fresh scratch one unless given). Resolves when `/readyz` answers 200.
 */
export async function startEmbedded(
  options: { dataDir?: string; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<Embedded & { readyMs: number; readyCpuSeconds: number }> {
  const port = await freePort()
  // The services' ports, then the gateway's management server's.
  const base = await freePorts(serviceNames.length + 1)
  const dataDir = options.dataDir ?? scratchDir('data')
  const started = performance.now()
  const child = spawnTsx(
    'all-in-one',
    'apps/all-in-one/src/main.ts',
    {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(base),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    // `npm start` on this machine's own Node (runtimeNode() is the production one).
    { nodeArgs: options.nodeArgs, node: process.execPath },
  )
  const gateway = `http://127.0.0.1:${port}`
  try {
    // The gateway's management server: the port after the services'.
    const management = `http://127.0.0.1:${base + serviceNames.length}`
    await waitForHttp(`${management}/readyz`, { child, timeoutMs: 180_000, intervalMs: 25 })
  } catch (error) {
    await child.stop()
    throw error
  }
  const readyMs = performance.now() - started
  const readyCpuSeconds = treeCpu(child.pid)
  return {
    gateway,
    catalog: `http://127.0.0.1:${base + 1}`,
    dataDir,
    child,
    readyMs,
    readyCpuSeconds,
    stop: () => child.stop(30_000),
  }
}

/** A fresh shopper registered with the users service; its access token lasts 15 minutes. */
export async function registerShopper(
  origin: string,
  prefix = '',
): Promise<{ userId: string; accessToken: string }> {
  const email = `bench-${runId}-${randomBytes(4).toString('hex')}@example.com`
  const response = await fetch(`${origin}${prefix}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'benchmark-password-1', name: 'Bench Shopper' }),
  })
  const body = (await response.json()) as { user?: { id: string }; accessToken?: string }
  if (!response.ok || !body.user || !body.accessToken) {
    throw new Error(`register failed: ${response.status} ${JSON.stringify(body)}`)
  }
  return { userId: body.user.id, accessToken: body.accessToken }
}
