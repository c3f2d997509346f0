import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimitStore } from '../app/ports.js'
import type { RatePolicy } from '../domain/gcra.js'
import { loginAccountKey } from '../domain/login-account.js'
import type { GatewayMetrics } from './gateway-metrics.js'
import { setRateLimitHeaders, tooManyRequests } from './rate-limit-headers.js'

/** Told the upstream's status once known (undefined when it gave none). */
export type LoginOutcome = (status: number | undefined) => void

/**
 * Failed logins per account, whatever address they come from (a brute force spread over many
 * clients). An attempt spends from the account's quota before it is forwarded — so concurrent
 * guesses cannot overshoot it — and gets it back unless the users service answered 401. A
 * wrong e-mail and a wrong password are both a 401, so an unknown account is limited alike and
 * the limit tells nothing about which accounts exist.
 */
export function loginGuard(options: {
  store: RateLimitStore
  policy: RatePolicy
  metrics: GatewayMetrics
}) {
  const { store, policy } = options
  return async function guard(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<LoginOutcome | undefined> {
    const key = loginAccountKey(request.body as Buffer | undefined)
    if (!key) return undefined
    const decision = await store.consume(policy, key)
    if (!decision.allowed) {
      setRateLimitHeaders(reply, decision)
      options.metrics.rateLimited.inc({ policy: policy.name })
      throw tooManyRequests(decision, 'Too many failed logins for this account; retry later.')
    }
    return (status) => {
      if (status === 401) return
      store.consume(policy, key, -1).catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not give back a login attempt')
      })
    }
  }
}
