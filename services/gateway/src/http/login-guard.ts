import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimitStore } from '../app/ports.js'
import type { AccountDelayPolicy } from '../domain/account-delay.js'
import { ipv6Network } from '../domain/client-address.js'
import { cookieValue, type DeviceTokens } from '../domain/device-token.js'
import type { RateDecision, RatePolicy } from '../domain/gcra.js'
import { loginAccountKey } from '../domain/login-account.js'
import { edgeStateOf } from './edge.js'
import type { GatewayMetrics } from './gateway-metrics.js'
import { setRateLimitHeaders, tooManyRequests } from './rate-limit-headers.js'

/** Told the upstream's status once known (undefined when it gave none). */
export type LoginOutcome = (status: number | undefined) => void

export interface LoginPolicies {
  /** Growing delays on an account's failures from clients without its device token. */
  account: AccountDelayPolicy
  /** Failures per account and client (device, else address). */
  accountClient: RatePolicy
}

export interface LoginDevices {
  tokens: DeviceTokens
  /** The cookie's `Max-Age`. */
  lifetimeSeconds: number
}

/** The cookie that carries a device token; sent back to the login route only. */
export const deviceCookie = 'emporium_device'
const loginPath = '/api/v1/auth/login'

/**
 * Failed logins, limited so that strangers cannot lock an owner out (OWASP Authentication Cheat
 * Sheet). A client is the device token it presents for this account (domain/device-token.ts),
 * else its address (its /64 for IPv6). Two limits, besides the edge's per-address login limit
 * across accounts (credential stuffing):
 * - per account and client, a few failures per window: a client that failed too often is
 *   refused, and nobody else is;
 * - per account, for clients without its device token: past a few failures from anywhere, each
 *   further failure makes the account refuse them for a delay that doubles up to a maximum. A
 *   guesser spread over any number of addresses gets about one try per maximum delay; the owner,
 *   from a device where they logged in before, is not delayed at all.
 * An attempt spends before it is forwarded — so concurrent guesses cannot overshoot — and gets
 * it back unless the users service answered 401. A wrong e-mail and a wrong password are both a
 * 401, so an unknown account is limited alike and the limits tell nothing about which accounts
 * exist. A successful login gets (or renews) the device token, as an HttpOnly cookie.
 */
export function loginGuard(options: {
  store: RateLimitStore
  policies: LoginPolicies
  devices: LoginDevices
  metrics: GatewayMetrics
}) {
  const { store, policies, devices, metrics } = options
  return async function guard(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<LoginOutcome | undefined> {
    const account = loginAccountKey(request.body as Buffer | undefined)
    if (!account) return undefined
    const edge = edgeStateOf(request)
    const presented = cookieValue(request.headers.cookie, deviceCookie)
    const device = presented ? devices.tokens.verify(presented, account, Date.now()) : undefined
    const client = device ? `dev:${device}` : `ip:${ipv6Network(edge.client) ?? edge.client}`
    const pairKey = `${account}:${client}`
    const giveBack = (what: Promise<unknown>) =>
      what.catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not give back a login attempt')
      })

    const pair = await store.consume(policies.accountClient, pairKey)
    if (!pair.allowed) {
      setRateLimitHeaders(reply, pair)
      metrics.rateLimited.inc({ policy: policies.accountClient.name })
      throw tooManyRequests(pair, 'Too many failed logins for this account from this client.')
    }
    let ticket: number | undefined
    if (!device) {
      const attempt = await store.spendAccountAttempt(policies.account, account)
      if (!attempt.allowed) {
        void giveBack(store.consume(policies.accountClient, pairKey, -1))
        const refusal = accountRefusal(policies.account, attempt.retryAfterMs)
        setRateLimitHeaders(reply, refusal)
        metrics.rateLimited.inc({ policy: policies.account.name })
        throw tooManyRequests(
          refusal,
          'Too many failed logins for this account: it is slowed down. Retry after the time ' +
            'retry-after says, or sign in from a device where you signed in before.',
        )
      }
      ticket = attempt.ticket
    }

    return (status) => {
      if (status === 401) return
      void giveBack(store.consume(policies.accountClient, pairKey, -1))
      if (ticket !== undefined) {
        void giveBack(store.refundAccountAttempt(policies.account, account, ticket))
      }
      if (status === 200) {
        const token = devices.tokens.issue(account, Date.now(), device)
        reply.header(
          'set-cookie',
          `${deviceCookie}=${token}; Path=${loginPath}; Max-Age=${devices.lifetimeSeconds}; ` +
            `HttpOnly; SameSite=Strict${edge.secure ? '; Secure' : ''}`,
        )
      }
    }
  }
}

/** A delayed account's refusal as the `ratelimit-*` headers tell it. */
function accountRefusal(policy: AccountDelayPolicy, retryAfterMs: number): RateDecision {
  return {
    allowed: false,
    policy: { name: policy.name, limit: policy.freeFailures, periodMs: policy.windowMs },
    remaining: 0,
    resetMs: retryAfterMs,
    retryAfterMs,
  }
}
