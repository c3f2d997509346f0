import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  placementEnvironment,
  serviceDeclarations,
  serviceNames,
  type ServiceName as DeclaredName,
} from '@emporium/contracts'
import { generatePrivateJwk } from '@emporium/platform'
import {
  createTestDatabase,
  reservePorts,
  startPrivateNats,
  startPrivatePostgres,
  startPrivateRabbitMq,
  testServers,
  type PrivateNats,
  type PrivatePostgres,
  type PrivateRabbitMq,
  type TestDatabase,
} from '@emporium/platform/testing'
import { repoRoot } from './process.js'
import { serviceBundles } from './service-bundles.js'

// The distributed mode for end-to-end tests: every service its own process on real MariaDB,
// PostgreSQL, Redis and RabbitMQ, each test run with fresh databases, its own RabbitMQ vhost
// and its own Redis key prefixes, so runs never see each other's data or messages. The
// services declared `replicated` can run as several replicas on one database. A run that
// restarts PostgreSQL or RabbitMQ (the chaos run) asks for `restartableServers`: it gets a
// PostgreSQL and a RabbitMQ of its own, never the machine's, which developers use meanwhile.
// With `broker: 'nats'` the bus runs on NATS JetStream instead: a nats-server of the run's own
// (so it asks for `restartableServers`).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One service process that can be killed, hung and started again with the same environment. */
export class ServiceProcess {
  child?: ChildProcess
  output = ''
  starts = 0
  kills = 0
  /**
   * Exits nobody asked for (not `stop()`), with the last of the output: a crash when it had
   * been ready (`wasReady`), else a start that failed (e.g. its database down meanwhile).
   */
  unexpectedExits: Array<{
    at: Date
    code: number | null
    signal: string | null
    wasReady: boolean
    tail: string
  }> = []
  private wasReady = false
  /** Extra environment of the current start (e.g. EXTRA_LATENCY_MS), {} for none. */
  overrides: Record<string, string> = {}
  private stopping = false
  private paused = false

  constructor(
    /** The service (its folder under services/). */
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    /** This replica's name: the service's for the first, `<service>-<n>` for the others. */
    readonly instance: string = name,
    /** Its management server's port, when it has one (the gateway): `/readyz` is there. */
    readonly managementPort?: number,
    /** The services' bundles (serviceBundles()); undefined: run the TypeScript under tsx. */
    readonly bundles?: string,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  /** Where `/readyz` and `/metrics` are: the management server, else the service's own port. */
  get managementUrl() {
    return this.managementPort ? `http://127.0.0.1:${this.managementPort}` : this.url
  }

  get running() {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    )
  }

  /**
   * Starts the process from its bundle (`bundles`: serviceBundles()'s folder), or from its
   * TypeScript under tsx without one; `overrides` are added to its environment for this start.
   */
  start(overrides: Record<string, string> = {}) {
    this.starts++
    this.overrides = overrides
    this.stopping = false
    this.paused = false
    this.wasReady = false
    const child = spawn(
      process.execPath,
      this.bundles
        ? ['--enable-source-maps', join(this.bundles, this.name, 'main.mjs')]
        : ['--import', 'tsx', `services/${this.name}/src/main.ts`],
      {
        cwd: repoRoot,
        env: { ...process.env, ...this.env, ...overrides },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const keep = (d: Buffer) => {
      // The last 200 kB are enough to explain a failure.
      this.output = (this.output + d.toString()).slice(-200_000)
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    // 'close': after the output is read to its end, so the tail holds the last words.
    child.once('close', (code, signal) => {
      if (this.stopping || this.child !== child) return
      const tail = this.output.slice(-4000)
      this.unexpectedExits.push({ at: new Date(), code, signal, wasReady: this.wasReady, tail })
    })
    this.child = child
  }

  /** Waits until `/readyz` answers 200 (its database and broker reachable). */
  async ready(timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.instance} exited:\n${this.output}`)
      try {
        const url = `${this.managementUrl}/readyz`
        if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) {
          this.wasReady = true
          return
        }
      } catch {
        // not listening yet
      }
      await sleep(150)
    }
    throw new Error(`${this.instance} not ready in ${timeoutMs} ms:\n${this.output}`)
  }

  /** Stops it with `signal` (SIGKILL: no drain at all) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (!this.running) return
    this.stopping = true
    const exited = new Promise((r) => this.child!.once('exit', r))
    this.child!.kill(signal)
    // A hung process handles SIGTERM only once it runs again.
    if (this.paused && signal !== 'SIGKILL') this.resume()
    if (signal === 'SIGKILL') this.kills++
    await exited
  }

  /** SIGSTOP: the process hangs, its sockets stay open and silent (a stuck event loop, a GC). */
  pause() {
    if (!this.running) return
    this.child!.kill('SIGSTOP')
    this.paused = true
  }

  /** SIGCONT after `pause()`. */
  resume() {
    if (!this.running) return
    this.child!.kill('SIGCONT')
    this.paused = false
  }
}

/** Services that may run as several replicas on one database (as declared). */
export type ReplicatedService = Extract<
  (typeof serviceDeclarations)[number],
  { replicated: true }
>['name']
export type ServiceName = DeclaredName | 'gateway'

export interface DistributedOptions {
  /** Replicas per service (default 1 each); the gateway gets every replica's URL. */
  replicas?: Partial<Record<ReplicatedService, number>>
  /** Environment for one service's processes only, over the common `env`. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>
  /** Environment for one process (by instance name, e.g. `orders-2`), over the others. */
  instanceEnv?: (instance: string, service: ServiceName) => Record<string, string>
  /**
   * A PostgreSQL and a RabbitMQ started for this run alone (on spare ports, in a temporary
   * folder), which the run may stop and restart; removed by `stop()`. MariaDB and Redis stay the
   * machine's: no test restarts them.
   */
  restartableServers?: boolean
  /** The bus's broker: RabbitMQ (the default) or NATS JetStream (needs `restartableServers`). */
  broker?: 'rabbitmq' | 'nats'
  /**
   * The whole start's deadline (default 200 s), shorter than the suites' hooks (240 s and
   * more), so that a start too slow fails with what it waited for and how long each step took
   * rather than as a hook timeout that says nothing.
   */
  startTimeoutMs?: number
}

/** The run's own servers (`restartableServers`). */
export interface PrivateServers {
  postgres: PrivatePostgres
  /** The run's broker, whichever it is. */
  rabbitmq?: PrivateRabbitMq
  nats?: PrivateNats
  /** Stops the broker (RabbitMQ's stop_app; NATS killed with SIGKILL) and starts it again. */
  broker: { stop(): Promise<void>; start(): Promise<void>; how: string }
}

export interface DistributedPlatform {
  api: string
  /** Every process by instance name: `orders` (the first replica), `orders-2`, …, `gateway`. */
  services: Record<string, ServiceProcess>
  /** The processes of each service, first replica first. */
  replicas: Record<ServiceName, ServiceProcess[]>
  databases: Record<string, TestDatabase>
  vhost: string
  broker: 'rabbitmq' | 'nats'
  /** The services' RABBITMQ_URL: `amqp://…/<vhost>` (the run's own vhost), or `nats://…`. */
  rabbitmqUrl: string
  /** The notifications sender's file (`file:` sender): verification links land here. */
  mailbox: string
  /** The run's own PostgreSQL and RabbitMQ, when it asked for `restartableServers`. */
  servers?: PrivateServers
  /** `rabbitmqctl` on the run's broker (its own node, else the machine's); its output. */
  rabbitmqctl(...args: string[]): Promise<string>
  /**
   * Restarts RabbitMQ itself (stop_app/start_app): every service must reconnect. Only the
   * run's own broker (`restartableServers`); the machine's is never restarted.
   */
  restartBroker(): Promise<void>
  stop(): Promise<void>
}

const run = promisify(execFile)

/**
 * Starts every declared service, then the gateway, as processes.
 * `env` is given to every process (e.g. shorter saga deadlines, higher rate limits).
 */
export async function startDistributedPlatform(
  env: Record<string, string> = {},
  options: DistributedOptions = {},
): Promise<DistributedPlatform> {
  const id = randomBytes(4).toString('hex')
  const vhost = `e2e_${id}`
  const broker = options.broker ?? 'rabbitmq'
  if (broker === 'nats' && !options.restartableServers)
    throw new Error("broker: 'nats' runs on a nats-server of the run's own: restartableServers")
  const keyDir = mkdtempSync(join(tmpdir(), 'emporium-e2e-'))
  const databases: Record<string, TestDatabase> = {}
  const services: Record<string, ServiceProcess> = {}
  let servers: Partial<PrivateServers> = {}
  let busUrl = ''
  let releasePorts = () => {}
  const rabbitmqctl = async (...args: string[]) =>
    servers.rabbitmq
      ? servers.rabbitmq.ctl(...args)
      : (await run('rabbitmqctl', args, { timeout: 120_000 })).stdout
  const cleanUp = async () => {
    await Promise.all(Object.values(services).map((s) => s.stop('SIGKILL')))
    await Promise.all(Object.values(databases).map((d) => d.drop().catch(() => undefined)))
    if (broker === 'rabbitmq') await rabbitmqctl('delete_vhost', vhost).catch(() => undefined)
    rmSync(keyDir, { recursive: true, force: true })
    // The run's own servers go with their data.
    await servers.rabbitmq?.stop().catch(() => undefined)
    await servers.nats?.destroy().catch(() => undefined)
    await servers.postgres?.destroy().catch(() => undefined)
    releasePorts()
  }

  const began = Date.now()
  const deadline = began + (options.startTimeoutMs ?? 200_000)
  const steps: string[] = []
  const step = (what: string) =>
    steps.push(`${what} at ${((Date.now() - began) / 1000).toFixed(1)} s`)
  try {
    // Made while the servers start (a few seconds, once per change of the sources).
    const bundling = serviceBundles()
    bundling.catch(() => undefined)
    if (options.restartableServers) {
      servers = {}
      const [postgres, started] = await Promise.allSettled([
        startPrivatePostgres(),
        broker === 'nats' ? startPrivateNats() : startPrivateRabbitMq(),
      ])
      if (postgres.status === 'fulfilled') servers.postgres = postgres.value
      if (started.status === 'fulfilled') {
        const value = started.value
        if ('kill' in value) {
          servers.nats = value
          // SIGKILL, or SIGTERM for a server that acknowledges before it writes (PrivateNats.crash).
          servers.broker = { stop: () => value.crash(), start: () => value.start(), how: value.how }
        } else {
          servers.rabbitmq = value
          servers.broker = {
            stop: () => value.stopApp(),
            start: () => value.startApp(),
            how: 'stop_app/start_app',
          }
        }
      }
      if (postgres.status === 'rejected') throw postgres.reason
      if (started.status === 'rejected') throw started.reason
      step('own servers')
    }
    if (broker === 'rabbitmq') {
      await rabbitmqctl('add_vhost', vhost)
      const amqp = new URL(servers.rabbitmq?.url ?? testServers.rabbitmq)
      await rabbitmqctl(
        'set_permissions',
        '-p',
        vhost,
        decodeURIComponent(amqp.username),
        '.*',
        '.*',
        '.*',
      )
      amqp.pathname = `/${vhost}`
      busUrl = amqp.toString()
      step(`vhost ${vhost}`)
    } else {
      busUrl = servers.nats!.url
    }
    for (const service of serviceDeclarations) {
      // On the run's own PostgreSQL, the databases scripts/infra-up.sh would create.
      databases[service.name] =
        servers.postgres && service.database === 'postgres'
          ? await servers.postgres.createDatabase(`emporium_${service.name}`)
          : await createTestDatabase(service.database)
    }

    step('databases')
    const bundles = await bundling
    step('bundles')
    const count = (name: ServiceName) => {
      const declared = serviceDeclarations.find((s) => s.name === name)
      return declared?.replicated
        ? Math.max(1, options.replicas?.[name as ReplicatedService] ?? 1)
        : 1
    }
    const order: ServiceName[] = [...serviceNames, 'gateway']
    // One block of 16 ports per run, claimed against every other test on the machine.
    const block = await reservePorts(16)
    const base = block.base
    releasePorts = block.release
    let next = base
    const ports = {} as Record<ServiceName, number[]>
    for (const name of order) ports[name] = Array.from({ length: count(name) }, () => next++)
    const managementPort = next++ // the gateway's /metrics and /readyz
    if (next - base > 16) throw new Error('too many replicas for one block of 16 ports')
    const urls = (name: string) =>
      ports[name as ServiceName].map((p) => `http://127.0.0.1:${p}`).join(',')
    const jwks = `http://127.0.0.1:${ports.users[0]}/.well-known/jwks.json`
    // The service keys of each service others trust, shared by its replicas; the services that
    // trust it get the public half inline (no fetch from a replica the chaos runner killed).
    const serviceKeys: Record<string, Awaited<ReturnType<typeof generatePrivateJwk>>> = {}
    for (const service of serviceDeclarations) {
      for (const caller of service.trustedCallers)
        serviceKeys[caller] ??= await generatePrivateJwk()
    }
    const publicHalf = (caller: string) => {
      const { d: _private, ...key } = serviceKeys[caller]!
      return key
    }
    const common = {
      RABBITMQ_URL: busUrl,
      // Every process checks the one revocation list (logout, password change, admin revoked).
      REVOCATIONS_URL: testServers.redis,
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_SECONDS: '5',
      ...env,
    }
    /** The few settings that are one service's own. */
    const own: Partial<Record<ServiceName, Record<string, string>>> = {
      users: {
        USERS_SIGNING_KEY_FILE: join(keyDir, 'signing-keys.json'),
        ADMIN_EMAILS: 'admin@e2e.example',
      },
      catalog: { CATALOG_SEED_DEMO: 'true' },
      notifications: { NOTIFICATIONS_SENDER: `file:${join(keyDir, 'mailbox.jsonl')}` },
      gateway: {
        GATEWAY_MANAGEMENT_PORT: String(managementPort),
        GATEWAY_MANAGEMENT_HOST: '127.0.0.1',
        REDIS_URL: testServers.redis,
        GATEWAY_REDIS_KEY_PREFIX: `e2e-${id}:`,
        GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
        GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
        GATEWAY_LOGIN_LIMIT_PER_CLIENT: '100000',
        GATEWAY_UPSTREAM_COOLDOWN_MS: '500',
        GATEWAY_BREAKER_HALF_OPEN_MS: '1000',
      },
    }
    // From the declaration (packages/contracts/src/services.ts): its place among the others,
    // its stores, the keys it signs or checks service credentials with.
    const specific = (name: ServiceName, port: number): Record<string, string> => {
      const placed = placementEnvironment(
        name,
        { port, host: '127.0.0.1' },
        { urlsOf: urls, jwksUrl: jwks },
      )
      const service = serviceDeclarations.find((s) => s.name === name)
      if (!service) return { ...placed, ...own[name] }
      const settings: Record<string, string> = {
        ...placed,
        [`${service.env}_DATABASE_URL`]: databases[service.name]!.url,
      }
      if (service.redis) settings[`${service.env}_REDIS_URL`] = testServers.redis
      if (service.trustedCallers.length > 0) {
        settings[`${service.env}_TRUSTED_CALLERS`] = JSON.stringify(
          Object.fromEntries(service.trustedCallers.map((c) => [c, [publicHalf(c)]])),
        )
      }
      if (serviceKeys[name])
        settings[`${service.env}_SERVICE_KEYS`] = JSON.stringify([serviceKeys[name]])
      return { ...settings, ...own[name] }
    }
    const envOf = (name: ServiceName, port: number, instance: string) => ({
      ...common,
      ...specific(name, port),
      ...options.serviceEnv?.[name],
      ...options.instanceEnv?.(instance, name),
    })
    const replicas = {} as Record<ServiceName, ServiceProcess[]>
    for (const name of order) {
      replicas[name] = ports[name].map((port, i) => {
        const instance = i === 0 ? name : `${name}-${i + 1}`
        const management = name === 'gateway' ? managementPort : undefined
        return new ServiceProcess(
          name,
          port,
          envOf(name, port, instance),
          instance,
          management,
          bundles,
        )
      })
      for (const replica of replicas[name]) services[replica.instance] = replica
    }

    // The users service first (its JWKS verifies every token), the gateway last. A service's
    // first replica migrates its database before the others start, so they never race on it.
    const startAll = async (list: ServiceProcess[]) => {
      for (const s of list) s.start()
      for (const s of list) {
        await s.ready(Math.max(1_000, deadline - Date.now()))
        step(`${s.instance} ready`)
      }
    }
    await startAll(replicas.users)
    const middle = order.filter((n) => n !== 'users' && n !== 'gateway')
    await startAll(middle.map((n) => replicas[n][0]!))
    await startAll(middle.flatMap((n) => replicas[n].slice(1)))
    await startAll(replicas.gateway)

    return {
      api: `http://127.0.0.1:${ports.gateway[0]}/api/v1`,
      services,
      replicas,
      databases,
      vhost,
      broker,
      rabbitmqUrl: busUrl,
      mailbox: join(keyDir, 'mailbox.jsonl'),
      servers: servers.postgres && servers.broker ? (servers as PrivateServers) : undefined,
      rabbitmqctl,
      async restartBroker() {
        const own = servers.broker
        if (!own) throw new Error('restartBroker needs the run started with restartableServers')
        try {
          await own.stop()
        } finally {
          // Whatever happened to the stop, leave the broker running.
          await own.start()
        }
      },
      stop: cleanUp,
    }
  } catch (error) {
    await cleanUp()
    if (error instanceof Error)
      error.message += `\nthe start's steps: ${steps.join(', ') || 'none'}`
    throw error
  }
}
