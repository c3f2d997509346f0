import { resolve } from 'node:path'
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

/**
 * The services of the embedded platform, in start order (the gateway last, once its upstreams
 * answer). Each listens on 127.0.0.1 on its own port from EMBEDDED_PORT_BASE (the gateway's
 * management server on the next one, EMBEDDED_PORT_BASE + 6), keeps its tables in a schema of
 * its own in the one PGlite database under `DATA_DIR/pglite` (one WebAssembly Postgres for all:
 * a seventh of the start-up time and memory of one each), and validates its settings with its
 * own schema.
 */
export function embeddedServices(config: AllInOneConfig, env: Env): Entry[] {
  const dataDir = resolve(config.DATA_DIR)
  const local = (offset: number) => ({
    port: config.EMBEDDED_PORT_BASE + offset,
    url: `http://127.0.0.1:${config.EMBEDDED_PORT_BASE + offset}`,
  })
  const users = local(0)
  const catalog = local(1)
  const cart = local(2)
  const orders = local(3)
  const payments = local(4)
  const notifications = local(5)
  // The gateway's /metrics and detailed /readyz: the port after the services', never public.
  const management = local(6)
  const jwks = `${users.url}/.well-known/jwks.json`
  const shared = {
    LOG_LEVEL: config.LOG_LEVEL,
    RABBITMQ_URL: 'memory',
    // One list in the process: the users service writes it, every verifier reads it.
    REVOCATIONS_URL: 'memory',
    SHUTDOWN_TIMEOUT_SECONDS: String(config.SHUTDOWN_TIMEOUT_SECONDS),
  }
  return [
    {
      name: 'users',
      create: async () => {
        const { createUsersService, UsersConfig } = await import('@emporium/users')
        return createUsersService(
          loadConfig(UsersConfig, {
            ...env,
            ...shared,
            USERS_PORT: String(users.port),
            USERS_HOST: '127.0.0.1',
            USERS_DATABASE_URL: `pglite:${dataDir}/pglite?schema=users`,
            USERS_SIGNING_KEY_FILE: env.USERS_SIGNING_KEYS
              ? undefined
              : `${dataDir}/users/signing-keys.json`,
            ADMIN_EMAILS: config.ADMIN_EMAILS,
            USERS_PUBLIC_URL: env.USERS_PUBLIC_URL ?? `http://localhost:${config.PORT}`,
            // `npm run admin` proves itself with this key to the running platform.
            USERS_ADMIN_CLI_KEY_FILE: `${dataDir}/users/admin-cli-keys.json`,
          }),
        )
      },
      port: users.port,
      host: '127.0.0.1',
    },
    {
      name: 'catalog',
      create: async () => {
        const { createCatalogService, CatalogConfig } = await import('@emporium/catalog')
        return createCatalogService(
          loadConfig(CatalogConfig, {
            ...env,
            ...shared,
            CATALOG_PORT: String(catalog.port),
            CATALOG_HOST: '127.0.0.1',
            CATALOG_DATABASE_URL: `pglite:${dataDir}/pglite?schema=catalog`,
            CATALOG_JWKS_URL: jwks,
            CATALOG_SEED_DEMO: env.CATALOG_SEED_DEMO ?? 'true',
          }),
        )
      },
      port: catalog.port,
      host: '127.0.0.1',
    },
    {
      name: 'cart',
      create: async () => {
        const { createCartService, CartConfig } = await import('@emporium/cart')
        return createCartService(
          loadConfig(CartConfig, {
            ...env,
            ...shared,
            CART_PORT: String(cart.port),
            CART_HOST: '127.0.0.1',
            CART_DATABASE_URL: `pglite:${dataDir}/pglite?schema=cart`,
            CART_REDIS_URL: 'memory',
            CART_CATALOG_URLS: catalog.url,
            CART_JWKS_URL: jwks,
          }),
        )
      },
      port: cart.port,
      host: '127.0.0.1',
    },
    {
      name: 'payments',
      create: async () => {
        const { createPaymentsService, PaymentsConfig } = await import('@emporium/payments')
        return createPaymentsService(
          loadConfig(PaymentsConfig, {
            ...env,
            ...shared,
            PAYMENTS_PORT: String(payments.port),
            PAYMENTS_HOST: '127.0.0.1',
            PAYMENTS_DATABASE_URL: `pglite:${dataDir}/pglite?schema=payments`,
            PAYMENTS_JWKS_URL: jwks,
            // Orders' credentials are checked against the keys it publishes on its own port.
            PAYMENTS_TRUSTED_CALLERS:
              env.PAYMENTS_TRUSTED_CALLERS ??
              JSON.stringify({ orders: `${orders.url}/.well-known/service-jwks.json` }),
          }),
        )
      },
      port: payments.port,
      host: '127.0.0.1',
    },
    {
      name: 'orders',
      create: async () => {
        const { createOrdersService, OrdersConfig } = await import('@emporium/orders')
        return createOrdersService(
          loadConfig(OrdersConfig, {
            ...env,
            ...shared,
            ORDERS_PORT: String(orders.port),
            ORDERS_HOST: '127.0.0.1',
            ORDERS_DATABASE_URL: `pglite:${dataDir}/pglite?schema=orders`,
            ORDERS_CART_URLS: cart.url,
            ORDERS_CATALOG_URLS: catalog.url,
            ORDERS_PAYMENTS_URLS: payments.url,
            ORDERS_JWKS_URL: jwks,
            ORDERS_SERVICE_KEY_FILE: env.ORDERS_SERVICE_KEYS
              ? undefined
              : `${dataDir}/orders/service-keys.json`,
          }),
        )
      },
      port: orders.port,
      host: '127.0.0.1',
    },
    {
      name: 'notifications',
      create: async () => {
        const { createNotificationsService, NotificationsConfig } =
          await import('@emporium/notifications')
        return createNotificationsService(
          loadConfig(NotificationsConfig, {
            ...env,
            ...shared,
            NOTIFICATIONS_PORT: String(notifications.port),
            NOTIFICATIONS_HOST: '127.0.0.1',
            NOTIFICATIONS_DATABASE_URL: `pglite:${dataDir}/pglite?schema=notifications`,
            NOTIFICATIONS_JWKS_URL: jwks,
          }),
        )
      },
      port: notifications.port,
      host: '127.0.0.1',
    },
    {
      name: 'gateway',
      create: async () => {
        const { createGatewayService, GatewayConfig } = await import('@emporium/gateway')
        return createGatewayService(
          loadConfig(GatewayConfig, {
            ...env,
            ...shared,
            PORT: String(config.PORT),
            HOST: config.HOST,
            GATEWAY_MANAGEMENT_PORT: String(management.port),
            GATEWAY_MANAGEMENT_HOST: '127.0.0.1',
            GATEWAY_USERS_URLS: users.url,
            GATEWAY_CATALOG_URLS: catalog.url,
            GATEWAY_CART_URLS: cart.url,
            GATEWAY_ORDERS_URLS: orders.url,
            GATEWAY_PAYMENTS_URLS: payments.url,
            GATEWAY_NOTIFICATIONS_URLS: notifications.url,
            REDIS_URL: env.REDIS_URL ?? 'memory',
          }),
        )
      },
      port: config.PORT,
      host: config.HOST,
    },
  ]
}
