export * from './errors.js'
export * from './config.js'
export * from './log.js'
export { requestSlot, type RequestSlot } from './http/request-slot.js'
export * from './db/database.js'
export * from './db/open-database.js'
export type { ListenOptions, Listening } from './db/listen.js'
export { usePgliteTemplates } from './db/pglite-template.js'
export * from './db/after-commit.js'
export { deferWrite } from './db/commit-signal.js'
export * from './messaging/bus.js'
export * from './context.js'
export * from './metrics.js'
export * from './db/migrate.js'
export * from './db/platform-migrations.js'
export * from './messaging/outbox.js'
export * from './messaging/outbox-relay.js'
export * from './messaging/inbox.js'
export * from './messaging/consumer.js'
export * from './messaging/delivery-batcher.js'
export * from './messaging/subscription.js'
export * from './runtime.js'
export * from './periodic.js'
export * from './tracing.js'
export * from './trace-export.js'
export * from './http/server.js'
export { installOptionalBody, optionalBodies } from './http/optional-body.js'
export * from './http/client.js'
export * from './http/upstream-breaker.js'
export * from './http/upstream-pool.js'
export {
  earlyAdmission,
  registerEventLoopGuard,
  shedHeader,
  type AdmissionConfig,
  type AdmissionLimit,
  type EventLoopGuard,
} from './http/admission.js'
export type { ReadinessCheck } from './http/health.js'
export { problemType } from './http/problem.js'
export * from './messaging/rabbitmq-bus.js'
export * from './messaging/nats-bus.js'
export * from './messaging/bus-from-url.js'
export * from './messaging/in-process-bus.js'
export * from './auth/jwt-verifier.js'
export * from './auth/caching-verifier.js'
export * from './auth/revocations.js'
export * from './auth/revocation-check.js'
export { createRedisRevocationList } from './auth/redis-revocations.js'
export * from './auth/bearer-auth.js'
export * from './auth/guest.js'
export type { RemoteKeySet } from './auth/remote-key-set.js'
export * from './http/cursor.js'
export * from './http/etag.js'
export * from './http/response-cache.js'
export { cacheKey, installCachedReads, type CachedRoute } from './http/cached-reads.js'
export * from './messaging/outbox-tail.js'
export {
  generatePrivateJwk,
  loadKeyRing,
  privateJwkProblems,
  readPrivateJwks,
  type KeyRing,
  type KeySources,
  type PublicSigningJwk,
  type SigningAlgorithm,
  type SigningKey,
} from './auth/key-ring.js'
export * from './auth/service-credentials.js'
export * from './auth/service-caller.js'
export * from './auth/service-trust.js'
export * from './auth/service-jwks-route.js'
