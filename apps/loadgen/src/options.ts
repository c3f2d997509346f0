import { apiBase } from './http.js'
import { scenarioNames, type CardName, type LoadOptions, type ScenarioName } from './types.js'

export const defaultMix: Readonly<Record<ScenarioName, number>> = {
  browse: 30,
  search: 20,
  view: 20,
  cart: 10,
  checkout: 10,
  history: 10,
}

export const defaultCards: Readonly<Record<CardName, number>> = {
  approved: 85,
  declined: 8,
  insufficient: 5,
  transient: 2,
  slow: 0,
}

export type ResolvedLoadOptions = Required<
  Omit<LoadOptions, 'progress' | 'signal' | 'statePath' | 'seed' | 'mix' | 'cards'>
> &
  Pick<LoadOptions, 'progress' | 'signal' | 'statePath' | 'seed'> & {
    mix: Record<ScenarioName, number>
    cards: Record<CardName, number>
  }

function check(ok: boolean, message: string) {
  if (!ok) throw new RangeError(message)
}

/**
 * Fills the defaults of LoadOptions and checks the values. A mix or card weighting replaces the
 * default one as a whole: names it leaves out get 0.
 */
export function resolveLoadOptions(options: LoadOptions): ResolvedLoadOptions {
  apiBase(options.baseUrl) // throws on a bad URL
  const resolved: ResolvedLoadOptions = {
    ...options,
    rampSeconds: options.rampSeconds ?? 0,
    mix: options.mix ? { ...zero(scenarioNames), ...options.mix } : { ...defaultMix },
    maxInFlight: options.maxInFlight ?? 64,
    shoppers: options.shoppers ?? 8,
    cards: options.cards
      ? { ...zero(Object.keys(defaultCards) as CardName[]), ...options.cards }
      : { ...defaultCards },
    followOrders: options.followOrders ?? 'stream',
    finalTimeoutSeconds: options.finalTimeoutSeconds ?? 60,
    retryAfterDeclinePercent: options.retryAfterDeclinePercent ?? 70,
    arrivals: options.arrivals ?? 'poisson',
    requestTimeoutSeconds: options.requestTimeoutSeconds ?? 10,
    maxRetryWaitSeconds: options.maxRetryWaitSeconds ?? 15,
  }
  const r = resolved
  check(Number.isFinite(r.rate) && r.rate >= 0, `rate must be ≥ 0 (got ${r.rate})`)
  check(r.durationSeconds > 0, `duration must be > 0 (got ${r.durationSeconds})`)
  check(r.rampSeconds >= 0, `ramp must be ≥ 0 (got ${r.rampSeconds})`)
  check(Number.isInteger(r.maxInFlight) && r.maxInFlight >= 1, 'max in-flight must be ≥ 1')
  check(Number.isInteger(r.shoppers) && r.shoppers >= 0, 'shoppers must be an integer ≥ 0')
  check(['poll', 'stream', 'none'].includes(r.followOrders), 'follow must be poll|stream|none')
  check(['poisson', 'uniform'].includes(r.arrivals), 'arrivals must be poisson|uniform')
  check(r.finalTimeoutSeconds > 0, 'final timeout must be > 0')
  check(
    Number.isFinite(r.retryAfterDeclinePercent) &&
      r.retryAfterDeclinePercent >= 0 &&
      r.retryAfterDeclinePercent <= 100,
    `retry after decline is a percent from 0 to 100 (got ${r.retryAfterDeclinePercent})`,
  )
  check(r.requestTimeoutSeconds > 0, 'request timeout must be > 0')
  check(r.maxRetryWaitSeconds >= 0, 'max retry wait must be ≥ 0')
  for (const [name, weight] of Object.entries({ ...r.mix, ...r.cards }))
    check(Number.isFinite(weight) && weight >= 0, `weight of ${name} must be ≥ 0`)
  check(
    Object.values(r.mix).some((w) => w > 0),
    'the scenario mix needs at least one positive weight',
  )
  check(
    Object.values(r.cards).some((w) => w > 0),
    'the card weights need at least one positive weight',
  )
  for (const name of Object.keys(r.mix))
    check(scenarioNames.includes(name as ScenarioName), `unknown scenario ${name}`)
  for (const name of Object.keys(r.cards)) check(name in defaultCards, `unknown card ${name}`)
  return resolved
}

function zero<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>
}
