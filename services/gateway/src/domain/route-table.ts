import {
  serviceDeclarations,
  serviceNames,
  type RouteAccess,
  type RouteLimit,
  type RouteMethod,
  type ServiceName,
  type ServiceRoute,
} from '@emporium/contracts'

/** The services behind the gateway: those declared in packages/contracts/src/services.ts. */
export const upstreamNames = serviceNames
export type UpstreamName = ServiceName

/** Who may call a route: anyone, any holder of a valid access token, or admins only. */
export const Access = { public: 'public', bearer: 'bearer', admin: 'admin' } as const
export type Access = RouteAccess

/** Stricter limits some routes get on top of the per-client one. */
export type SpecialLimit = RouteLimit

export type Method = RouteMethod

/** A declared route (packages/contracts/src/services.ts) and the service it goes to. */
export interface RouteRule extends ServiceRoute {
  upstream: UpstreamName
}

const segmentsOf = (path: string) => path.split('/').filter(Boolean)

/**
 * How specific a rule is, most specific first: rules without `**` (a fixed number of segments)
 * before those with it; then the longer part before the first `:name` or `**` (the literal
 * prefix), then more segments, then more literal ones; then named methods before `any`. So the
 * exceptions the declarations write (`/api/v1/users/me/password`, notifications'
 * `/api/v1/orders/:id/events` under orders' prefix, the read-only rules) come before the general
 * rule of their prefix, whichever service declares them and wherever it stands in the list.
 */
function specificity(rule: RouteRule): number[] {
  const segments = segmentsOf(rule.path)
  const wildcard = segments.at(-1) === '**'
  const literal = segments.findIndex((s) => s === '**' || s.startsWith(':'))
  return [
    wildcard ? 1 : 0,
    -(literal === -1 ? segments.length : literal),
    -segments.length,
    -segments.filter((s) => s !== '**' && !s.startsWith(':')).length,
    rule.methods === 'any' ? 1 : 0,
  ]
}

function bySpecificity(a: RouteRule, b: RouteRule): number {
  const [x, y] = [specificity(a), specificity(b)]
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return 0
}

/**
 * Every declared service's routes, most specific first (the sort is stable: otherwise in
 * declaration order). The matcher takes the first rule whose method and path match; a path no
 * rule matches is a 404 at the gateway.
 */
export function buildRouteTable(
  declarations: ReadonlyArray<{ name: string; routes: readonly ServiceRoute[] }>,
): RouteRule[] {
  return declarations
    .flatMap((service) =>
      service.routes.map((route) => ({ ...route, upstream: service.name as UpstreamName })),
    )
    .sort(bySpecificity)
}

/**
 * The public API (API.md) and who may call it, from the declared services: the one place that
 * decides routing and access. The services check the token again (and ownership) themselves;
 * this table is the outer wall, not the only one.
 */
export const routeTable: readonly RouteRule[] = buildRouteTable(serviceDeclarations)
