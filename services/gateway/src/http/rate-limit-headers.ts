import { AppError } from '@emporium/platform'
import type { FastifyReply } from 'fastify'
import type { RateDecision } from '../domain/gcra.js'

/**
 * `ratelimit-limit`, `-remaining`, `-reset` (seconds until the quota is whole again) and
 * `-policy` (`limit;w=window seconds`), as in the IETF RateLimit header fields draft.
 */
export function setRateLimitHeaders(reply: FastifyReply, decision: RateDecision): void {
  const { policy } = decision
  reply.header('ratelimit-limit', String(policy.limit))
  reply.header('ratelimit-remaining', String(decision.remaining))
  reply.header('ratelimit-reset', String(Math.ceil(decision.resetMs / 1000)))
  reply.header('ratelimit-policy', `${policy.limit};w=${Math.round(policy.periodMs / 1000)}`)
}

/** The 429 problem of a refusal; the platform renders `retry-after` from it. */
export function tooManyRequests(decision: RateDecision, detail?: string): AppError {
  return new AppError(
    'too_many',
    'RATE_LIMIT.EXCEEDED',
    detail ?? 'Too many requests; retry after the time retry-after says.',
    { details: { retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) } },
  )
}
