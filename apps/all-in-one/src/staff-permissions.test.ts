import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT, importJWK, type CryptoKey, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  hasPermission,
  serviceDeclarations,
  staffRoles,
  type Permission,
  type ServiceRoute,
} from '@emporium/contracts'
import {
  createHttpServer,
  createLogger,
  createMetricsRegistry,
  generatePrivateJwk,
  type HttpServer,
  type Service,
} from '@emporium/platform'
import { loadAllInOneConfig } from './config.js'
import { embeddedServices } from './services.js'

/**
 * Generated from every service's registered routes (issue 19): each route whose fastify config
 * names a staff permission answers 403 `AUTH.FORBIDDEN` — the service itself, not the gateway —
 * to a customer and to every staff role without that permission; and every route the gateway
 * declares staff-only (`access: 'admin'` in packages/contracts/src/services.ts) names one, so a
 * new staff route cannot forget its check. The services are built as the embedded platform
 * builds them and asked in-process (`inject`); no database is touched, since the check comes
 * before anything else.
 */

interface Collected {
  service: string
  method: string
  url: string
  permission: Permission | undefined
}

const callers: Record<string, string[]> = {
  customer: ['customer'],
  ...Object.fromEntries(staffRoles.map((role) => [role, ['customer', role]])),
}

const log = createLogger({ service: 'staff-permissions-test', level: 'silent' })
const apps = new Map<string, HttpServer>()
const services: Service[] = []
const routes: Collected[] = []
let dataDir: string
let jwks: Server
let sign: (roles: string[]) => Promise<string>

/** The users service's signing key (USERS_SIGNING_KEYS): its tokens and the others' agree. */
let signingKey: JWK

async function startJwks(): Promise<number> {
  signingKey = await generatePrivateJwk('perm-key')
  const { d: _private, ...jwk } = signingKey
  const privateKey = await importJWK(signingKey, 'EdDSA')
  sign = (roles) =>
    new SignJWT({ roles, jti: `t-${Math.random().toString(36).slice(2)}` })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'perm-key' })
      .setSubject(`user-${roles.join('-')}`)
      .setIssuer('emporium-users')
      .setAudience('emporium')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey as CryptoKey)
  jwks = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
  return (jwks.address() as AddressInfo).port
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'staff-permissions-'))
  // The services find the users service's keys at the first embedded port: this JWKS answers
  // there; nothing else listens (upstreams are never called before the permission check).
  const port = await startJwks()
  const env = {
    DATA_DIR: dataDir,
    EMBEDDED_PORT_BASE: String(port),
    PORT: '1',
    LOG_LEVEL: 'silent',
    CATALOG_SEED_DEMO: 'false',
    USERS_SIGNING_KEYS: JSON.stringify([signingKey]),
  }
  const entries = embeddedServices(loadAllInOneConfig(env).config, env)
  for (const entry of entries.filter((e) => serviceDeclarations.some((s) => s.name === e.name))) {
    const service = await entry.create()
    services.push(service)
    const app = createHttpServer({
      service: entry.name,
      log,
      registry: createMetricsRegistry(entry.name, { processMetrics: false }),
    })
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat().filter((m) => m !== 'HEAD')
      for (const method of methods) {
        routes.push({
          service: entry.name,
          method,
          url: route.url,
          permission: route.config?.permission,
        })
      }
    })
    if (service.routes) await app.register(service.routes)
    await app.ready()
    apps.set(entry.name, app)
  }
}, 180_000)

afterAll(async () => {
  for (const app of apps.values()) await app.close()
  for (const service of services) await service.close?.()
  await new Promise((resolve) => jwks?.close(resolve))
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

/** A concrete path of a route: each `:param` an id, a wildcard a segment. */
const concrete = (url: string) =>
  url.replace(/:[A-Za-z0-9_]+/g, '00000000-0000-4000-8000-000000000000').replace(/\*/g, 'x')

describe('staff permissions in the services', () => {
  it('finds staff routes in every service that has back-office routes', () => {
    const staff = new Set(routes.filter((r) => r.permission).map((r) => r.service))
    for (const name of ['catalog', 'orders', 'payments', 'shipping']) {
      expect(staff, name).toContain(name)
    }
  })

  it('answers 403 to every role without the permission of a staff route', async () => {
    const failures: string[] = []
    const tokens = new Map<string, string>()
    for (const [name, roles] of Object.entries(callers)) tokens.set(name, await sign(roles))
    for (const route of routes.filter((r) => r.permission !== undefined)) {
      const app = apps.get(route.service)!
      for (const [name, roles] of Object.entries(callers)) {
        if (hasPermission(roles, route.permission!)) continue
        const reply = await app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers: {
            authorization: `Bearer ${tokens.get(name)}`,
            ...(route.method === 'GET' || route.method === 'DELETE'
              ? {}
              : { 'content-type': 'application/json' }),
          },
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: '{}' }),
        })
        const what = `${route.service} ${route.method} ${route.url} as ${name} (${route.permission})`
        const body = reply.statusCode === 403 ? (reply.json() as { code?: string }) : {}
        if (reply.statusCode !== 403 || body.code !== 'AUTH.FORBIDDEN') {
          failures.push(`${what}: ${reply.statusCode}`)
        }
        // Without a token: 401, never the route's work.
      }
      const anonymous = await app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
      })
      if (anonymous.statusCode !== 401) {
        failures.push(`${route.service} ${route.method} ${route.url} without a token: 401 expected`)
      }
    }
    expect(failures).toEqual([])
  })

  it('gives every route the gateway declares staff-only a permission of its own', () => {
    const missing = routes
      .filter((route) => route.permission === undefined)
      .filter((route) => gatewayAccess(route) === 'admin')
      .map((route) => `${route.service} ${route.method} ${route.url}`)
    expect(missing).toEqual([])
  })
})

/**
 * The access the gateway gives a service route: its service's declared rule that matches the
 * route's public path and method, the most specific first (as the gateway's route table orders
 * them: fixed lengths before `**`, the longer literal prefix, more segments, named methods).
 */
function gatewayAccess(route: Collected): string | undefined {
  const declaration = serviceDeclarations.find((s) => s.name === route.service)!
  const segments = `${concrete(route.url)}`.split('/').filter(Boolean)
  const candidates = (declaration.routes as readonly ServiceRoute[]).filter((rule) => {
    if (rule.methods !== 'any' && !(rule.methods as readonly string[]).includes(route.method)) {
      return false
    }
    const strip = (rule.strip ?? '/api/v1').split('/').filter(Boolean)
    return matches(rule.path.split('/').filter(Boolean), [...strip, ...segments])
  })
  candidates.sort((a, b) => compare(specificity(a), specificity(b)))
  return candidates[0]?.access
}

function matches(pattern: readonly string[], segments: readonly string[]): boolean {
  if (pattern.at(-1) === '**') {
    const fixed = pattern.slice(0, -1)
    return segments.length >= fixed.length && matches(fixed, segments.slice(0, fixed.length))
  }
  return (
    pattern.length === segments.length &&
    pattern.every((p, i) => p.startsWith(':') || p === segments[i])
  )
}

function specificity(rule: ServiceRoute): number[] {
  const segments = rule.path.split('/').filter(Boolean)
  const literal = segments.findIndex((s) => s === '**' || s.startsWith(':'))
  return [
    segments.at(-1) === '**' ? 1 : 0,
    -(literal === -1 ? segments.length : literal),
    -segments.length,
    -segments.filter((s) => s !== '**' && !s.startsWith(':')).length,
    rule.methods === 'any' ? 1 : 0,
  ]
}

function compare(x: number[], y: number[]): number {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return 0
}
