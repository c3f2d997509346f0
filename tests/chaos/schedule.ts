// What the chaos runner does to the platform, and when: a list of faults at offsets from the
// start of the load. The short schedule (CI) has every kind at least once and kills each of
// orders, catalog, payments and shipping; the long one repeats a cycle with the targets rotating
// (and kills shipping once a cycle).

export const faultKinds = [
  'kill',
  'hang',
  'broker-restart',
  'postgres-restart',
  'latency',
  'payment-outage',
] as const
export type FaultKind = (typeof faultKinds)[number]

export interface FaultStep {
  /** Seconds after the load starts. */
  at: number
  kind: FaultKind
  /**
   * The process (`orders`, `orders-2`, …) for kill, hang and latency. A kill restarts it after
   * `seconds` (like a supervisor would); a hang lasts `seconds`; latency lasts `seconds`.
   */
  target?: string
  /** How long the fault lasts (for a restart of PostgreSQL: how long it stays down). */
  seconds: number
  /** latency: EXTRA_LATENCY_MS and EXTRA_LATENCY_JITTER_MS. */
  latencyMs?: number
  jitterMs?: number
  /** payment-outage: shares of provider calls refused, and acting but losing the answer. */
  errorRate?: number
  lostReplyRate?: number
}

/** Replicas the platform runs for the chaos runner. */
export const chaosReplicas = { orders: 2, catalog: 2, payments: 2 } as const

/** Load seconds of the short run: with start-up and settling, about two minutes. */
export const shortLoadSeconds = 60

/**
 * About a minute of faults, overlapping as they would in a bad hour: every kind at least once,
 * each of orders, catalog, payments and shipping SIGKILLed (shipping while placements ask it for
 * quotes and the fulfiller ships), the last fault over 10 s before the load ends.
 */
export function shortSchedule(): FaultStep[] {
  return [
    { at: 3, kind: 'payment-outage', seconds: 12, errorRate: 0.5, lostReplyRate: 0.2 },
    { at: 5, kind: 'latency', target: 'catalog-2', seconds: 15, latencyMs: 400, jitterMs: 400 },
    { at: 8, kind: 'kill', target: 'orders', seconds: 1 },
    { at: 12, kind: 'kill', target: 'shipping', seconds: 1 },
    { at: 15, kind: 'hang', target: 'payments-2', seconds: 6 },
    { at: 20, kind: 'broker-restart', seconds: 0 },
    { at: 26, kind: 'kill', target: 'catalog', seconds: 1 },
    { at: 33, kind: 'postgres-restart', seconds: 3 },
    { at: 40, kind: 'kill', target: 'payments', seconds: 1 },
    { at: 46, kind: 'hang', target: 'orders-2', seconds: 5 },
  ]
}

/** Seconds of one cycle of the long schedule. */
const cycleSeconds = 80

/**
 * `minutes` of load with a cycle of every fault kind every 80 s, quiet for the last 15 s. Kills
 * and hangs rotate over the services and their replicas so that two faults on one service are
 * at least 35 s apart (a restart on a busy machine can take half a minute); shipping (one
 * replica) is killed once a cycle; latency rotates over the second replicas, cart and
 * notifications.
 */
export function longSchedule(minutes: number): FaultStep[] {
  const services = ['orders', 'catalog', 'payments']
  const slowable = ['catalog-2', 'payments-2', 'cart', 'orders-2', 'notifications']
  const end = minutes * 60 - 15
  const steps: FaultStep[] = []
  for (let cycle = 0, start = 3; start < end; cycle++, start += cycleSeconds) {
    const [replica, other] = cycle % 2 === 0 ? ['', '-2'] : ['-2', '']
    const service = (k: number) => services[(cycle + k) % services.length]!
    const cycleSteps: FaultStep[] = [
      { at: 0, kind: 'payment-outage', seconds: 15, errorRate: 0.6, lostReplyRate: 0.2 },
      {
        at: 5,
        kind: 'latency',
        target: slowable[cycle % slowable.length]!,
        seconds: 25,
        latencyMs: 300,
        jitterMs: 500,
      },
      { at: 10, kind: 'kill', target: service(0) + replica, seconds: 1 },
      { at: 20, kind: 'hang', target: service(1) + replica, seconds: 8 },
      { at: 32, kind: 'broker-restart', seconds: 0 },
      { at: 38, kind: 'kill', target: 'shipping', seconds: 1 },
      { at: 45, kind: 'kill', target: service(2) + replica, seconds: 2 },
      { at: 55, kind: 'postgres-restart', seconds: 4 },
      { at: 68, kind: 'hang', target: service(0) + other, seconds: 5 },
    ]
    for (const step of cycleSteps) {
      if (start + step.at + step.seconds < end) steps.push({ ...step, at: start + step.at })
    }
  }
  return steps
}
