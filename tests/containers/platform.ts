import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  placementEnvironment,
  serviceDeclarations,
  serviceNames,
  type ServiceName as DeclaredName,
} from '@emporium/contracts'
import {
  createTestDatabase,
  reservePorts,
  testServers,
  type TestDatabase,
} from '@emporium/platform/testing'
import { podman, podmanStatus, removeOrphans, ServiceContainer } from './podman.js'

// The whole platform as containers (one per service, from the images build-images.sh made) on
// this machine's real MariaDB, PostgreSQL, Redis and RabbitMQ: fresh databases, a RabbitMQ vhost
// and Redis key prefix of its own, every container on the host network bound to 127.0.0.1.

/** Every deployable service, as declared (packages/contracts/src/services.ts), the gateway last. */
export const SERVICES: readonly ServiceName[] = [...serviceNames, 'gateway']
export type ServiceName = DeclaredName | 'gateway'

export const ADMIN_EMAIL = 'admin@containers.example'
/** Drain limit inside the containers; `podman stop` waits longer before it kills. */
export const SHUTDOWN_TIMEOUT_SECONDS = 10

export interface ContainerPlatform {
  api: string
  gateway: string
  containers: Record<ServiceName, ServiceContainer>
  /** The users database: the admin command writes to it (`npm run admin -- grant`). */
  usersDatabaseUrl: string
  /** Removes the containers, the key volume, the databases and the vhost (never fails). */
  remove(): Promise<void>
}

const rabbitmqctl = (...args: string[]) =>
  execFileSync('rabbitmqctl', args, { stdio: 'pipe', timeout: 120_000 })

/**
 * Starts the seven containers of `tag` (users first: its JWKS verifies every token; the gateway
 * last). On failure everything made so far is removed before the error is thrown.
 */
export async function startContainerPlatform(tag: string): Promise<ContainerPlatform> {
  const id = randomBytes(4).toString('hex')
  const vhost = `containers_${id}`
  const keyVolume = `emporium-ct-${id}-keys`
  const databases: TestDatabase[] = []
  const containers = {} as Record<ServiceName, ServiceContainer>
  let vhostMade = false
  let volumeMade = false

  const remove = async () => {
    await Promise.all(Object.values(containers).map((c) => c.remove()))
    if (volumeMade) await podmanStatus(['volume', 'rm', '--force', keyVolume]).catch(() => {})
    await Promise.all(databases.map((d) => d.drop().catch(() => undefined)))
    if (vhostMade) {
      try {
        rabbitmqctl('delete_vhost', vhost)
      } catch {
        // already gone
      }
    }
  }

  try {
    await removeOrphans()
    rabbitmqctl('add_vhost', vhost)
    vhostMade = true
    const amqp = new URL(testServers.rabbitmq)
    rabbitmqctl('set_permissions', '-p', vhost, decodeURIComponent(amqp.username), '.*', '.*', '.*')
    amqp.pathname = `/${vhost}`
    const database = async (kind: 'mysql' | 'postgres') => {
      const made = await createTestDatabase(kind)
      databases.push(made)
      return made.url
    }
    const db: Record<string, string> = {}
    for (const service of serviceDeclarations) db[service.name] = await database(service.database)
    // The users service keeps its generated signing keys, and the services others trust their
    // service keys, on a volume, as in compose.yaml: the only writable place besides /tmp (a new volume takes the image's owner, uid 10001).
    await podman([
      'volume',
      'create',
      '--label',
      'emporium.test=containers',
      '--label',
      `emporium.test.pid=${process.pid}`,
      keyVolume,
    ])
    volumeMade = true

    // One more after the services': the gateway's management server (/readyz, /metrics).
    const { base } = await reservePorts(SERVICES.length + 1)
    const managementPort = base + SERVICES.length
    const port = Object.fromEntries(SERVICES.map((s, i) => [s, base + i])) as Record<
      ServiceName,
      number
    >
    const url = (s: ServiceName) => `http://127.0.0.1:${port[s]}`
    const jwks = `${url('users')}/.well-known/jwks.json`
    const common = {
      RABBITMQ_URL: amqp.toString(),
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
    }
    // The services others trust keep their service keys on the key volume, as users keeps its
    // signing keys (compose.yaml).
    const trusted = new Set<string>(serviceDeclarations.flatMap((s) => [...s.trustedCallers]))
    const own: Partial<Record<ServiceName, Record<string, string>>> = {
      users: {
        USERS_SIGNING_KEY_FILE: '/var/lib/emporium/signing-keys.json',
        ADMIN_EMAILS: ADMIN_EMAIL,
      },
      catalog: { CATALOG_SEED_DEMO: 'true' },
      gateway: {
        GATEWAY_MANAGEMENT_PORT: String(managementPort),
        GATEWAY_MANAGEMENT_HOST: '127.0.0.1',
        GATEWAY_JWKS_URL: jwks,
        REDIS_URL: testServers.redis,
        GATEWAY_REDIS_KEY_PREFIX: `containers-${id}:`,
        // One client (127.0.0.1) plays every shopper here.
        GATEWAY_RATE_LIMIT_PER_MINUTE: '100000',
        GATEWAY_REGISTER_LIMIT_PER_CLIENT: '1000',
      },
    }
    // From the declaration: its place among the others, its stores, its callers' keys.
    const envOf = (name: ServiceName): Record<string, string> => {
      const placed = placementEnvironment(
        name,
        { port: port[name], host: '127.0.0.1' },
        { urlsOf: (other) => url(other as ServiceName), jwksUrl: jwks },
      )
      const service = serviceDeclarations.find((s) => s.name === name)
      if (!service) return { ...placed, ...own[name] }
      const settings: Record<string, string> = {
        ...placed,
        [`${service.env}_DATABASE_URL`]: db[service.name]!,
      }
      if (service.redis) settings[`${service.env}_REDIS_URL`] = testServers.redis
      if (service.trustedCallers.length > 0) {
        settings[`${service.env}_TRUSTED_CALLERS`] = JSON.stringify(
          Object.fromEntries(
            service.trustedCallers.map((c) => [c, `${url(c)}/.well-known/service-jwks.json`]),
          ),
        )
      }
      if (trusted.has(name)) {
        settings[`${service.env}_SERVICE_KEY_FILE`] = `/var/lib/emporium/${name}-service-keys.json`
      }
      return { ...settings, ...own[name] }
    }
    const keyHolders = new Set<ServiceName>(['users', ...(trusted as Set<ServiceName>)])
    for (const s of SERVICES) {
      containers[s] = new ServiceContainer(
        s,
        `emporium-ct-${id}-${s}`,
        `localhost/emporium/${s}:${tag}`,
        port[s],
        { ...common, ...envOf(s) },
        keyHolders.has(s) ? ['--volume', `${keyVolume}:/var/lib/emporium`] : [],
        s === 'gateway' ? managementPort : undefined,
      )
    }

    await containers.users.start()
    await containers.users.ready()
    const middle = SERVICES.filter((s) => s !== 'users' && s !== 'gateway')
    for (const s of middle) await containers[s].start()
    await Promise.all(middle.map((s) => containers[s].ready()))
    await containers.gateway.start()
    await containers.gateway.ready()
    return {
      api: `${url('gateway')}/api/v1`,
      gateway: url('gateway'),
      containers,
      usersDatabaseUrl: db.users!,
      remove,
    }
  } catch (error) {
    await remove()
    throw error
  }
}
