import {
  hasPermission,
  isStaff,
  serviceDeclarations,
  staffRoles,
  type RouteMethod,
} from '@emporium/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteMatcher } from '../src/domain/route-match.js'
import { routeTable, type RouteRule } from '../src/domain/route-table.js'
import { startEchoUpstream, startFakeUsers, type FakeUsers } from './fake-upstreams.js'
import { bearer, call, startGateway, type TestGateway } from './gateway-harness.js'

/**
 * Generated from the route table (issue 19): for every `access: 'admin'` declaration of
 * packages/contracts/src/services.ts, a caller whose roles lack the permission it names (any
 * staff permission when it names none) gets the gateway's 403, and one holding it is forwarded.
 * A route added to the table is covered without a line here.
 */

const callers: Record<string, string[]> = {
  customer: ['customer'],
  ...Object.fromEntries(staffRoles.map((role) => [role, ['customer', role]])),
  'legacy admin': ['customer', 'admin'],
}

const match = createRouteMatcher(routeTable)

/** A request (method, path) this very rule decides: its `:name`s and `**` filled in. */
function requestOf(rule: RouteRule): { method: RouteMethod; path: string } {
  const methods: readonly RouteMethod[] =
    rule.methods === 'any' ? ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] : rule.methods
  const fills = [[], ['x1'], ['x1', 'x2'], ['zz-new']]
  for (const method of methods) {
    for (const tail of fills) {
      const segments = rule.path
        .split('/')
        .filter(Boolean)
        .flatMap((segment) =>
          segment === '**' ? tail : segment.startsWith(':') ? ['id-1'] : [segment],
        )
      const found = match(method, segments)
      if (found?.rule === rule) return { method, path: `/${segments.join('/')}` }
    }
  }
  throw new Error(`no request reaches ${rule.path}: the table hides it behind another rule`)
}

const staffRules = routeTable.filter((rule) => rule.access === 'admin')

let users: FakeUsers
let upstream: Awaited<ReturnType<typeof startEchoUpstream>>
let gateway: TestGateway
const tokens = new Map<string, string>()

beforeAll(async () => {
  users = await startFakeUsers()
  upstream = await startEchoUpstream()
  const urls = Object.fromEntries(
    serviceDeclarations.map((service) => [
      `GATEWAY_${service.env}_URLS`,
      service.name === 'users' ? users.url : upstream.url,
    ]),
  )
  gateway = await startGateway({ ...urls, GATEWAY_RATE_LIMIT_PER_MINUTE: 100_000 })
  for (const [name, roles] of Object.entries(callers)) {
    tokens.set(name, await users.token({ sub: `user-${name}`, roles }))
  }
})

afterAll(async () => {
  await gateway?.stop()
  await Promise.all([users?.stop(), upstream?.stop()])
})

describe('staff routes at the gateway', () => {
  it('has staff routes to check', () => {
    expect(staffRules.length).toBeGreaterThan(5)
  })

  it.each(staffRules.map((rule) => [`${rule.upstream} ${rule.path}`, rule] as const))(
    '%s: 403 for roles without its permission, forwarded for roles with it',
    async (_name, rule) => {
      const { method, path } = requestOf(rule)
      for (const [name, roles] of Object.entries(callers)) {
        const allowed =
          rule.permission === undefined ? isStaff(roles) : hasPermission(roles, rule.permission)
        const answer = await call(`${gateway.url}${path}`, {
          method,
          headers: { ...bearer(tokens.get(name)!), 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        })
        const what = `${name} ${method} ${path} (${rule.permission ?? 'any staff'})`
        if (allowed) {
          expect(answer.status, what).toBe(200)
        } else {
          expect(answer.status, what).toBe(403)
          expect(answer.json(), what).toMatchObject({ code: 'AUTH.FORBIDDEN' })
        }
      }
    },
  )
})
