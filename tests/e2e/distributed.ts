import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, testServers, type TestDatabase } from '@emporium/platform/testing'
import { repoRoot } from './process.js'

// The distributed mode for end-to-end tests: every service its own process on real MariaDB,
// PostgreSQL, Redis and RabbitMQ, each test run with fresh databases, its own RabbitMQ vhost
// and its own Redis key prefixes, so runs never see each other's data or messages.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One service process that can be killed and started again with the same environment. */
export class ServiceProcess {
  child?: ChildProcess
  output = ''
  starts = 0
  kills = 0
  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  get running() {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    )
  }

  start() {
    this.starts++
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', `services/${this.name}/src/main.ts`],
      {
        cwd: repoRoot,
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const keep = (d: Buffer) => {
      // The last 200 kB are enough to explain a failure.
      this.output = (this.output + d.toString()).slice(-200_000)
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    this.child = child
  }

  /** Waits until `/readyz` answers 200 (its database and broker reachable). */
  async ready(timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited:\n${this.output}`)
      try {
        if ((await fetch(`${this.url}/readyz`)).ok) return
      } catch {
        // not listening yet
      }
      await sleep(150)
    }
    throw new Error(`${this.name} not ready in ${timeoutMs} ms:\n${this.output}`)
  }

  /** Stops it with `signal` (SIGKILL: no drain at all) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (!this.running) return
    const exited = new Promise((r) => this.child!.once('exit', r))
    this.child!.kill(signal)
    if (signal === 'SIGKILL') this.kills++
    await exited
  }
}

export interface DistributedPlatform {
  api: string
  services: Record<string, ServiceProcess>
  databases: Record<string, TestDatabase>
  vhost: string
  /** Restarts RabbitMQ itself (stop_app/start_app): every service must reconnect. */
  restartBroker(): void
  stop(): Promise<void>
}

const rabbitmqctl = (...args: string[]) =>
  execFileSync('rabbitmqctl', args, { stdio: 'pipe', timeout: 120_000 })

/**
 * Starts users, catalog, cart, payments, orders, notifications and the gateway as processes.
 * `env` is given to every process (e.g. shorter saga deadlines, higher rate limits).
 */
export async function startDistributedPlatform(
  env: Record<string, string> = {},
): Promise<DistributedPlatform> {
  const id = randomBytes(4).toString('hex')
  const vhost = `e2e_${id}`
  rabbitmqctl('add_vhost', vhost)
  const amqp = new URL(testServers.rabbitmq)
  rabbitmqctl('set_permissions', '-p', vhost, decodeURIComponent(amqp.username), '.*', '.*', '.*')
  amqp.pathname = `/${vhost}`
  const keyDir = mkdtempSync(join(tmpdir(), 'emporium-e2e-'))
  const names = ['catalog', 'cart', 'orders', 'payments', 'notifications'] as const
  const databases: Record<string, TestDatabase> = {
    users: await createTestDatabase('mysql'),
  }
  for (const name of names) databases[name] = await createTestDatabase('postgres')

  const base = 21000 + Math.floor(Math.random() * 2000) * 8
  const port = {
    users: base,
    catalog: base + 1,
    cart: base + 2,
    orders: base + 3,
    payments: base + 4,
    notifications: base + 5,
    gateway: base + 6,
  }
  const url = (name: keyof typeof port) => `http://127.0.0.1:${port[name]}`
  const jwks = `${url('users')}/.well-known/jwks.json`
  const common = {
    RABBITMQ_URL: amqp.toString(),
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_SECONDS: '5',
    ...env,
  }
  const services: Record<string, ServiceProcess> = {
    users: new ServiceProcess('users', port.users, {
      ...common,
      USERS_PORT: String(port.users),
      USERS_HOST: '127.0.0.1',
      USERS_DATABASE_URL: databases.users!.url,
      USERS_SIGNING_KEY_FILE: join(keyDir, 'signing-keys.json'),
      ADMIN_EMAILS: 'admin@e2e.example',
    }),
    catalog: new ServiceProcess('catalog', port.catalog, {
      ...common,
      CATALOG_PORT: String(port.catalog),
      CATALOG_HOST: '127.0.0.1',
      CATALOG_DATABASE_URL: databases.catalog!.url,
      CATALOG_JWKS_URL: jwks,
      CATALOG_SEED_DEMO: 'true',
    }),
    cart: new ServiceProcess('cart', port.cart, {
      ...common,
      CART_PORT: String(port.cart),
      CART_HOST: '127.0.0.1',
      CART_DATABASE_URL: databases.cart!.url,
      CART_REDIS_URL: testServers.redis,
      CART_CATALOG_URLS: url('catalog'),
      CART_JWKS_URL: jwks,
    }),
    payments: new ServiceProcess('payments', port.payments, {
      ...common,
      PAYMENTS_PORT: String(port.payments),
      PAYMENTS_HOST: '127.0.0.1',
      PAYMENTS_DATABASE_URL: databases.payments!.url,
      PAYMENTS_JWKS_URL: jwks,
    }),
    orders: new ServiceProcess('orders', port.orders, {
      ...common,
      ORDERS_PORT: String(port.orders),
      ORDERS_HOST: '127.0.0.1',
      ORDERS_DATABASE_URL: databases.orders!.url,
      ORDERS_CART_URLS: url('cart'),
      ORDERS_CATALOG_URLS: url('catalog'),
      ORDERS_PAYMENTS_URLS: url('payments'),
      ORDERS_JWKS_URL: jwks,
    }),
    notifications: new ServiceProcess('notifications', port.notifications, {
      ...common,
      NOTIFICATIONS_PORT: String(port.notifications),
      NOTIFICATIONS_HOST: '127.0.0.1',
      NOTIFICATIONS_DATABASE_URL: databases.notifications!.url,
      NOTIFICATIONS_JWKS_URL: jwks,
    }),
    gateway: new ServiceProcess('gateway', port.gateway, {
      ...common,
      PORT: String(port.gateway),
      HOST: '127.0.0.1',
      GATEWAY_USERS_URLS: url('users'),
      GATEWAY_CATALOG_URLS: url('catalog'),
      GATEWAY_CART_URLS: url('cart'),
      GATEWAY_ORDERS_URLS: url('orders'),
      GATEWAY_PAYMENTS_URLS: url('payments'),
      GATEWAY_NOTIFICATIONS_URLS: url('notifications'),
      REDIS_URL: testServers.redis,
      GATEWAY_REDIS_KEY_PREFIX: `e2e-${id}:`,
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
      GATEWAY_LOGIN_LIMIT_PER_CLIENT: '100000',
      GATEWAY_UPSTREAM_COOLDOWN_MS: '500',
      GATEWAY_BREAKER_HALF_OPEN_MS: '1000',
    }),
  }
  const stopAll = async () => {
    await Promise.all(Object.values(services).map((s) => s.stop('SIGKILL')))
  }
  try {
    // The users service first (its JWKS verifies every token), the gateway last.
    services.users!.start()
    await services.users!.ready()
    for (const name of ['catalog', 'cart', 'payments', 'orders', 'notifications'])
      services[name]!.start()
    for (const name of ['catalog', 'cart', 'payments', 'orders', 'notifications'])
      await services[name]!.ready()
    services.gateway!.start()
    await services.gateway!.ready()
  } catch (error) {
    await stopAll()
    throw error
  }

  return {
    api: `${url('gateway')}/api/v1`,
    services,
    databases,
    vhost,
    restartBroker() {
      rabbitmqctl('stop_app')
      rabbitmqctl('start_app')
      rabbitmqctl('await_startup')
    },
    async stop() {
      await stopAll()
      await Promise.all(Object.values(databases).map((d) => d.drop().catch(() => undefined)))
      try {
        rabbitmqctl('delete_vhost', vhost)
      } catch {
        // already gone
      }
      rmSync(keyDir, { recursive: true, force: true })
    },
  }
}
