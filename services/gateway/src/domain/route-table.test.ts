import { describe, expect, it } from 'vitest'
import { serviceDeclarations } from '@emporium/contracts'
import { routeTable, upstreamNames } from './route-table.js'

/** `/api/v1/orders/:id/events` covers a rule's path when the rule's path starts with it. */
function covers(declared: string, path: string): boolean {
  const pattern = declared
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment))
  return new RegExp(`^${pattern.join('/')}(/|$)`).test(path.replace(/\/\*\*$/, ''))
}

// The route table decides access; which service owns which public path is declared once, with
// the services (packages/contracts/src/services.ts). The two must agree.
describe('the route table against the declared services', () => {
  it('routes to declared services only, each rule under a public path its service declares', () => {
    for (const rule of routeTable) {
      const service = serviceDeclarations.find((s) => s.name === rule.upstream)
      expect(service, `${rule.path} → ${rule.upstream}`).toBeDefined()
      expect(
        service!.publicPaths.some((declared) => covers(declared, rule.path)),
        `${rule.path} is not under a public path ${rule.upstream} declares`,
      ).toBe(true)
    }
  })

  it('routes every public path a service declares, and every service behind it', () => {
    for (const service of serviceDeclarations) {
      for (const declared of service.publicPaths) {
        const routed = routeTable.some(
          (rule) => rule.upstream === service.name && covers(declared, rule.path),
        )
        expect(routed, `${declared} (${service.name}) has no route`).toBe(true)
      }
    }
    expect([...upstreamNames].sort()).toEqual(
      serviceDeclarations
        .filter((s) => s.publicPaths.length > 0)
        .map((s) => s.name)
        .sort(),
    )
  })

  it('tells a path under a declared one from a neighbour', () => {
    expect(covers('/api/v1/orders', '/api/v1/orders/**')).toBe(true)
    expect(covers('/api/v1/orders/:id/events', '/api/v1/orders/:id/events')).toBe(true)
    expect(covers('/api/v1/orders', '/api/v1/ordersx/**')).toBe(false)
    expect(covers('/api/v1/cart', '/api/v1/products/**')).toBe(false)
  })
})
