import type { CallInit, CallResult, Http } from '../http.js'
import type { ProductBook } from '../product-book.js'
import type { Random } from '../random.js'
import type { Shopper, ShopperPool } from '../shoppers.js'
import type { CheckoutTally } from '../stats.js'
import type { CardName } from '../types.js'

/** What every scenario works with. */
export interface ScenarioContext {
  http: Http
  pool: ShopperPool
  book: ProductBook
  random: Random
  checkout: CheckoutTally
  pickCard: (random: Random) => CardName
  follow: 'poll' | 'stream' | 'none'
  finalTimeoutMs: number
  /** Percent of declined orders (`payment_failed`) paid again; the others are cancelled. */
  retryAfterDeclinePercent: number
  /** Orders placed so far (for the invariant check and the report). */
  orderIds: string[]
  /** The hard stop: stop waiting, the run is over. */
  stop: AbortSignal
}

/**
 * How a scenario ended: `done` (every step answered as a shopper expects, business outcomes
 * included), `failed` (a step erred or was throttled past patience), `no_shopper` (it needs its
 * own shopper and none was free: counted as a dropped arrival).
 */
export type ScenarioEnd = 'done' | 'failed' | 'no_shopper'
export type Scenario = (context: ScenarioContext) => Promise<ScenarioEnd>

/** A 2xx answer. */
export const isOk = <T>(
  result: CallResult<T>,
): result is Extract<CallResult<T>, { answered: true }> =>
  result.answered && result.outcome.kind === 'ok'

/** How a shopper's requests are sent: their token, their quota. */
export async function as(
  context: ScenarioContext,
  shopper: Shopper,
): Promise<CallInit | undefined> {
  const token = await context.pool.token(shopper)
  return token ? { token, throttle: shopper.throttle } : undefined
}

/** A reader: any signed-in shopper (so the crowd's reads spend per-user quotas), else anonymous. */
export async function reader(context: ScenarioContext): Promise<CallInit> {
  const shopper = context.pool.any()
  return (shopper && (await as(context, shopper))) ?? {}
}

/** Runs `work` with a shopper of its own, or ends `no_shopper` when none is free. */
export async function withShopper(
  context: ScenarioContext,
  work: (shopper: Shopper, init: CallInit) => Promise<ScenarioEnd>,
  restMs = 0,
): Promise<ScenarioEnd> {
  const shopper = context.pool.lease()
  if (!shopper) return 'no_shopper'
  try {
    const init = await as(context, shopper)
    return init ? await work(shopper, init) : 'failed'
  } finally {
    context.pool.release(shopper, restMs)
  }
}
