import type { catalog } from '@emporium/contracts'
import type { AccountAttempt, AccountDelayPolicy } from '../domain/account-delay.js'
import type { RateDecision, RatePolicy } from '../domain/gcra.js'
import type { UpstreamName } from '../domain/route-table.js'

/** Where quotas are kept: Redis (shared by every replica), or this process's memory. */
export interface RateLimitStore {
  /** Spends `cost` tokens (1) of `key`'s quota under `policy`, or gives some back (-1). */
  consume(policy: RatePolicy, key: string, cost?: number): Promise<RateDecision>
  /** A login attempt on account `key` from a client it does not trust (domain/account-delay). */
  spendAccountAttempt(policy: AccountDelayPolicy, key: string): Promise<AccountAttempt>
  /** Gives back an attempt that did not fail, with the `ticket` its spending returned. */
  refundAccountAttempt(policy: AccountDelayPolicy, key: string, ticket: number): Promise<void>
}

/** One service behind the gateway: its instances and its circuit breaker. */
export interface Upstream {
  readonly name: UpstreamName
  readonly instances: number
  /**
   * Runs a call through the circuit breaker, which weighs the UpstreamFaults it throws against
   * the calls that returned (over a window, see BreakerSettings). While the circuit is open it
   * throws at once a 503 AppError with `retryAfterSeconds`.
   */
  execute<T>(call: () => Promise<T>): Promise<T>
  /**
   * The base URL to try next: round-robin over the instances not resting and not yet `tried`;
   * when all rest, the one whose rest ends first (a probe). Undefined once all were tried.
   */
  next(tried: ReadonlySet<string>): string | undefined
  /** Takes an instance out for the cool-down (refused a connection, answered 503). */
  markDown(base: string): void
  markUp(base: string): void
  /** What `retry-after` should say when no instance could be reached. */
  retryAfterSeconds(): number
}

export interface Upstreams {
  /** Undefined when the service has no URL configured. */
  get(name: UpstreamName): Upstream | undefined
}

/** A service's OpenAPI document as it serves it at `/openapi.json`. */
export interface ServiceDocument {
  upstream: UpstreamName
  document: Record<string, unknown>
}

export interface OpenApiSource {
  /** The documents of the services that answered (cached); the others are left out. */
  documents(): Promise<ServiceDocument[]>
}

/** A product's public read: the product, or `undefined` when the catalog has none of that id. */
export interface ProductReader {
  /**
   * Throws when the catalog cannot say in time (unreachable, a 5xx, past the reader's deadline,
   * an open circuit): the caller serves its page without the product then.
   */
  read(id: string): Promise<catalog.Product | undefined>
}
