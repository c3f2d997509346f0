import { resolve } from 'node:path'
import type Type from 'typebox'
import {
  gatewayDeclaration,
  placementEnvironment,
  serviceDeclarations,
  type ServiceDeclaration,
} from '@emporium/contracts'
import { loadConfig, type Service } from '@emporium/platform'
import type { AllInOneConfig } from './config.js'

export interface Entry {
  name: string
  /** Imports its service's package only when called: the gateway's thread loads the gateway's alone. */
  create: () => Promise<Service>
  port: number
  host?: string
}

type Env = Record<string, string | undefined>

/** A service package's factory and config schema, by the naming every package follows. */
async function factoryOf(name: string) {
  const pascal = name[0]!.toUpperCase() + name.slice(1)
  const module = (await import(`@emporium/${name}`)) as Record<string, unknown>
  const create = module[`create${pascal}Service`] as (config: unknown) => Service
  const schema = module[`${pascal}Config`] as Type.TObject
  if (typeof create !== 'function' || !schema) {
    throw new Error(`@emporium/${name} exports no create${pascal}Service and ${pascal}Config`)
  }
  return { create, schema }
}

/**
 * The services of the embedded platform, as declared (packages/contracts/src/services.ts), in
 * start order, the gateway last, once its upstreams answer. Each listens on 127.0.0.1 on its own
 * port from EMBEDDED_PORT_BASE in declaration order (the gateway's management server on the next
 * one), keeps its tables in a schema of its own in the one PGlite database under
 * `DATA_DIR/pglite` (one WebAssembly Postgres for all: a seventh of the start-up time and memory
 * of one each), and validates its settings with its own schema.
 */
export function embeddedServices(config: AllInOneConfig, env: Env): Entry[] {
  const dataDir = resolve(config.DATA_DIR)
  const url = (port: number) => `http://127.0.0.1:${port}`
  const portOf = (name: string) =>
    name === gatewayDeclaration.name
      ? config.PORT
      : config.EMBEDDED_PORT_BASE + serviceDeclarations.findIndex((s) => s.name === name)
  // The gateway's /metrics and detailed /readyz: the port after the services', never public.
  const managementPort = config.EMBEDDED_PORT_BASE + serviceDeclarations.length
  const addresses = {
    urlsOf: (name: string) => url(portOf(name)),
    jwksUrl: `${url(portOf('users'))}/.well-known/jwks.json`,
  }
  const shared = {
    LOG_LEVEL: config.LOG_LEVEL,
    RABBITMQ_URL: 'memory',
    // One list in the process: the users service writes it, every verifier reads it.
    REVOCATIONS_URL: 'memory',
    SHUTDOWN_TIMEOUT_SECONDS: String(config.SHUTDOWN_TIMEOUT_SECONDS),
  }

  /** What the embedded mode sets for a service beyond its place among the others. */
  function embeddedSettings(service: ServiceDeclaration): Env {
    const settings: Env = {
      [`${service.env}_DATABASE_URL`]: `pglite:${dataDir}/pglite?schema=${service.name}`,
    }
    if (service.redis) settings[`${service.env}_REDIS_URL`] = 'memory'
    // Callers' credentials are checked against the keys each publishes on its own port.
    if (service.trustedCallers.length > 0) {
      settings[`${service.env}_TRUSTED_CALLERS`] =
        env[`${service.env}_TRUSTED_CALLERS`] ??
        JSON.stringify(
          Object.fromEntries(
            service.trustedCallers.map((caller) => [
              caller,
              `${url(portOf(caller))}/.well-known/service-jwks.json`,
            ]),
          ),
        )
    }
    // A service others trust signs its calls with keys kept in DATA_DIR.
    const declared: readonly ServiceDeclaration[] = serviceDeclarations
    if (declared.some((other) => other.trustedCallers.includes(service.name))) {
      settings[`${service.env}_SERVICE_KEY_FILE`] = env[`${service.env}_SERVICE_KEYS`]
        ? undefined
        : `${dataDir}/${service.name}/service-keys.json`
    }
    return { ...settings, ...ownSettings[service.name]?.() }
  }

  /** The few settings that are one service's own. */
  const ownSettings: Record<string, () => Env> = {
    users: () => ({
      USERS_SIGNING_KEY_FILE: env.USERS_SIGNING_KEYS
        ? undefined
        : `${dataDir}/users/signing-keys.json`,
      ADMIN_EMAILS: config.ADMIN_EMAILS,
      USERS_PUBLIC_URL: env.USERS_PUBLIC_URL ?? `http://localhost:${config.PORT}`,
      // `npm run admin` proves itself with this key to the running platform.
      USERS_ADMIN_CLI_KEY_FILE: `${dataDir}/users/admin-cli-keys.json`,
    }),
    catalog: () => ({ CATALOG_SEED_DEMO: env.CATALOG_SEED_DEMO ?? 'true' }),
    // Order e-mails link to the same storefront as the users service's links.
    notifications: () => ({
      NOTIFICATIONS_PUBLIC_URL:
        env.NOTIFICATIONS_PUBLIC_URL ?? env.USERS_PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    }),
  }

  const entry = (name: string, host: string, settings: Env): Entry => ({
    name,
    create: async () => {
      const { create, schema } = await factoryOf(name)
      return create(
        loadConfig(schema, {
          ...env,
          ...shared,
          ...placementEnvironment(name, { port: portOf(name), host }, addresses),
          ...settings,
        }),
      )
    },
    port: portOf(name),
    host,
  })

  return [
    ...serviceDeclarations.map((service) =>
      entry(service.name, '127.0.0.1', embeddedSettings(service)),
    ),
    entry(gatewayDeclaration.name, config.HOST, {
      GATEWAY_MANAGEMENT_PORT: String(managementPort),
      GATEWAY_MANAGEMENT_HOST: '127.0.0.1',
      REDIS_URL: env.REDIS_URL ?? 'memory',
    }),
  ]
}
