import type { Random } from './random.js'

export interface ArrivalPlan {
  /** Arrivals per second at full rate. */
  rate: number
  /** Seconds of arrivals. */
  durationSeconds: number
  /** The rate climbs linearly from 0 to `rate` over these first seconds. */
  rampSeconds: number
  /** `uniform`: evenly spaced; `poisson`: exponential gaps (independent arrivals). */
  process: 'uniform' | 'poisson'
}

/** Arrivals expected by `t` seconds: the integral of the rate from 0 to t. */
export function expectedArrivals(plan: ArrivalPlan, t: number): number {
  const { rate, rampSeconds: ramp } = plan
  const at = Math.min(Math.max(t, 0), plan.durationSeconds)
  if (at <= ramp) return ramp === 0 ? 0 : (rate * at * at) / (2 * ramp)
  return (rate * ramp) / 2 + rate * (at - ramp)
}

/** The time (s) by which `units` arrivals are expected: the inverse of expectedArrivals. */
export function timeOfArrivals(plan: ArrivalPlan, units: number): number {
  const { rate, rampSeconds: ramp } = plan
  if (rate <= 0) return Number.POSITIVE_INFINITY
  const rampUnits = (rate * ramp) / 2
  if (units <= rampUnits) return Math.sqrt((2 * ramp * units) / rate)
  return ramp + (units - rampUnits) / rate
}

/**
 * The open-model schedule: arrival times in seconds from the start, whatever happens to the
 * requests. Each arrival adds one unit of expected arrivals (uniform) or an exponential one
 * (poisson) and is placed where the rate's integral reaches it, so the ramp shapes both.
 * Returns undefined once past the duration.
 */
export function createArrivals(plan: ArrivalPlan, random: Random): () => number | undefined {
  let units = plan.process === 'uniform' ? -0.5 : 0
  return () => {
    units += plan.process === 'uniform' ? 1 : -Math.log(1 - random())
    const t = timeOfArrivals(plan, units)
    return t < plan.durationSeconds ? t : undefined
  }
}
