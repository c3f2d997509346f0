import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimitStore } from '../app/ports.js'
import type { RatePolicy } from '../domain/gcra.js'
import { loginAccountKey } from '../domain/login-account.js'
import type { GatewayMetrics } from './gateway-metrics.js'
import { setRateLimitHeaders, tooManyRequests } from './rate-limit-headers.js'

/**
 * Password reset requests per account: each one mails the account's owner, so a client spread
 * over many addresses must not flood a mailbox. The account is the body's e-mail, keyed as the
 * login limits key it (a hash: no address in Redis), whether it has an account or not, so a
 * refusal tells nothing about which addresses do. The per-client limit is the edge's.
 */
export function resetGuard(options: {
  store: RateLimitStore
  policy: RatePolicy
  metrics: GatewayMetrics
}) {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const account = loginAccountKey(request.body as Buffer | undefined)
    if (!account) return
    const decision = await options.store.consume(options.policy, `reset:${account}`)
    if (decision.allowed) return
    setRateLimitHeaders(reply, decision)
    options.metrics.rateLimited.inc({ policy: options.policy.name })
    throw tooManyRequests(
      decision,
      'Too many password reset requests for this address: retry after the time retry-after says.',
    )
  }
}
