import {
  AppError,
  bearerChallenge,
  bearerToken,
  isAppError,
  isGuest,
  missingPermission,
  missingToken,
  requestSlot,
  type JwtVerifier,
  type VerifiedToken,
} from '@emporium/platform'
import { hasPermission, isStaff } from '@emporium/contracts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimitStore } from '../app/ports.js'
import {
  clientAddress,
  ipv6Network,
  rateLimitSubject,
  type ProxyTrust,
} from '../domain/client-address.js'
import { cartTokenHeader, presentedCartToken } from '../domain/cart-token.js'
import { strictest, type RatePolicy } from '../domain/gcra.js'
import { canonicalSegments, type RouteMatch } from '../domain/route-match.js'
import type { SpecialLimit } from '../domain/route-table.js'
import { stripIdentityHeaders } from './forward-headers.js'
import type { GatewayMetrics } from './gateway-metrics.js'
import { setRateLimitHeaders, tooManyRequests } from './rate-limit-headers.js'

/** What the edge learnt about a request, for the handlers after it. */
export interface EdgeState {
  /** The client's address (from `x-forwarded-for` only behind a trusted proxy). */
  client: string
  /** Whether the client reached the edge over TLS. */
  secure: boolean
  /** The verified caller, when a valid access token came (on any route). */
  identity?: VerifiedToken
  /** The route-table rule of a proxied request. */
  match?: RouteMatch
}

const states = requestSlot<EdgeState>('emporium.edge')

/** Longer paths are matched each time (the matches kept stay small). */
const maxKeptPath = 256
const maxKeptMatches = 1_000

export function edgeStateOf(request: FastifyRequest): EdgeState {
  const state = states.get(request)
  if (!state) throw new Error('edge hook did not run for this request')
  return state
}

export interface EdgeOptions {
  verifier: JwtVerifier
  store: RateLimitStore
  policies: { general: RatePolicy } & Record<SpecialLimit, RatePolicy>
  trust: ProxyTrust
  match: (method: string, segments: readonly string[]) => RouteMatch | undefined
  metrics: GatewayMetrics
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route forwards to an upstream by the route table (routes.ts). */
    proxied?: boolean
  }
}

/** Whether a route is proxied (its rule comes from the table), from its fastify config. */
export const isProxied = (request: FastifyRequest) =>
  (request.routeOptions.config as { proxied?: boolean }).proxied === true

/**
 * The edge, in order, for every request of the gateway's routes: strip identity headers; find
 * the client; verify a bearer token if one came (so an authenticated client spends its own
 * quota); find the route rule; take a guest's cart token (header or cookie) as the bearer token
 * of a protected route when no `Authorization` came, or forward it as `x-cart-token` beside
 * one (a client's own `x-cart-token` never reaches an upstream otherwise); spend the quotas
 * (every response then carries `ratelimit-*`, errors included); then refuse what the rule does
 * not allow: 401 with `www-authenticate` without a valid token, 403 without the staff
 * permission the rule names (any staff permission when it names none), 404 for a path no rule
 * knows.
 */
export function edgeHook(options: EdgeOptions) {
  const { policies, trust } = options
  // The rule of the paths asked most (listings, a cart), found once rather than per request:
  // decoding and matching the segments was ~3 % of a cached read's samples in a profile. A path
  // that is not valid throws, and is never kept.
  const matches = new Map<string, { match: RouteMatch | undefined }>()
  const matchOf = (method: string, path: string): RouteMatch | undefined => {
    if (path.length > maxKeptPath) return options.match(method, canonicalSegments(path))
    const key = `${method} ${path}`
    let kept = matches.get(key)
    if (kept === undefined) {
      kept = { match: options.match(method, canonicalSegments(path)) }
      // The oldest goes when full (a crawler's distinct paths), as the platform's other bounded
      // maps do: a Map keeps insertion order, and a hit costs no LRU bookkeeping.
      if (matches.size >= maxKeptMatches) matches.delete(matches.keys().next().value!)
      matches.set(key, kept)
    }
    return kept.match
  }
  return async function edge(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const spoofed = stripIdentityHeaders(request.raw.headers)
    if (spoofed.length > 0) request.log.info({ headers: spoofed }, 'identity headers stripped')
    const peer = request.raw.socket.remoteAddress
    const state: EdgeState = {
      client: clientAddress(peer, request.headers['x-forwarded-for'], trust),
      secure: isSecure(request, trust.enabled),
    }
    states.set(request, state)
    if (state.secure)
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')

    const token = bearerToken(request.headers.authorization)
    let tokenError: unknown
    if (token) {
      try {
        state.identity = await options.verifier.verify(token)
      } catch (error) {
        tokenError = error
      }
    }

    let pathError: unknown
    if (isProxied(request)) {
      try {
        const url = request.raw.url!
        const query = url.indexOf('?')
        state.match = matchOf(request.method, query === -1 ? url : url.slice(0, query))
      } catch (error) {
        pathError = error
      }
    }

    // A guest's cart token (X-Cart-Token or the emporium_cart cookie, domain/cart-token.ts).
    const cartToken = presentedCartToken(request.headers)
    delete request.raw.headers[cartTokenHeader]
    if (cartToken !== undefined) {
      if (request.headers.authorization !== undefined) {
        // Signed in: the cart token goes along for the cart to merge (it verifies it itself).
        request.raw.headers[cartTokenHeader] = cartToken
      } else if ((state.match?.rule.access ?? 'public') !== 'public') {
        try {
          const verified = await options.verifier.verify(cartToken)
          // Only a guest's token comes this way: an account's access token in a cookie would
          // let any page the browser loads act for the account (CSRF).
          if (!isGuest(verified)) throw notAGuestToken()
          state.identity = verified
          request.raw.headers.authorization = `Bearer ${cartToken}`
        } catch (error) {
          tokenError = error
        }
      }
    }

    const special = state.match?.rule.limit
    // A guest spends its address's quotas, as before it had a token: minting guests (limited
    // per address) must not buy a client fresh quotas.
    const account = state.identity && !isGuest(state.identity) ? state.identity : undefined
    const general = options.store.consume(
      policies.general,
      rateLimitSubject(account?.userId, state.client),
    )
    const spending = [general]
    if (special) {
      spending.push(
        options.store.consume(policies[special], `ip:${ipv6Network(state.client) ?? state.client}`),
      )
      // A signed-in caller spends the same quota as a user too: a password change tries the
      // current password, and guesses spread over many addresses must not escape the limit.
      if (account) {
        spending.push(options.store.consume(policies[special], `user:${account.userId}`))
      }
    }
    // Most routes spend one quota: no Promise.all for it.
    const decision = special ? strictest(await Promise.all(spending))! : await general
    setRateLimitHeaders(reply, decision)
    if (!decision.allowed) {
      options.metrics.rateLimited.inc({ policy: decision.policy.name })
      throw tooManyRequests(decision)
    }

    if (pathError) throw pathError
    if (isProxied(request) && !state.match) {
      const path = (request.raw.url ?? '').split('?')[0]!.slice(0, 200)
      throw new AppError('not_found', 'HTTP.NOT_FOUND', `No route ${request.method} ${path}.`)
    }
    const access = state.match?.rule.access ?? 'public'
    if (access === 'public') return
    if (!state.identity) {
      // Keys that cannot be fetched are the gateway's trouble (503), not the token's.
      if (isAppError(tokenError) && tokenError.kind !== 'unauthorized') throw tokenError
      const invalid = isAppError(tokenError) ? tokenError : undefined
      reply.header('www-authenticate', bearerChallenge(invalid))
      throw invalid ?? missingToken()
    }
    if (access !== 'admin') return
    // Staff only (issue 19): the rule's permission, or any staff permission when it names none
    // (the service checks its own route's permission again).
    const { roles } = state.identity
    const permission = state.match!.rule.permission
    if (permission !== undefined && !hasPermission(roles, permission)) {
      throw missingPermission(permission)
    }
    if (permission === undefined && !isStaff(roles)) throw staffOnly()
  }
}

function staffOnly(): AppError {
  return new AppError('forbidden', 'AUTH.FORBIDDEN', 'This is for staff only.')
}

function notAGuestToken(): AppError {
  return new AppError(
    'unauthorized',
    'AUTH.INVALID_TOKEN',
    "The cart token is not a guest's: an account's access token goes in Authorization only.",
  )
}

function isSecure(request: FastifyRequest, trustProxy: boolean): boolean {
  if ((request.raw.socket as { encrypted?: boolean }).encrypted) return true
  if (!trustProxy) return false
  const proto = request.headers['x-forwarded-proto']
  const last = (Array.isArray(proto) ? proto.join(',') : (proto ?? '')).split(',').pop()
  return last?.trim().toLowerCase() === 'https'
}
