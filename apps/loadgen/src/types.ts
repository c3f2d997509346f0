/** The things a shopper comes to do; one arrival starts one scenario. */
export type ScenarioName = 'browse' | 'search' | 'view' | 'cart' | 'checkout' | 'history'
export const scenarioNames: readonly ScenarioName[] = [
  'browse',
  'search',
  'view',
  'cart',
  'checkout',
  'history',
]

/** The test cards of API.md, by what they do. */
export type CardName = 'approved' | 'declined' | 'insufficient' | 'transient' | 'slow'
export const cardNumbers: Readonly<Record<CardName, string>> = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  insufficient: '4000000000009995',
  transient: '4000000000000119',
  slow: '4000000000000259',
}

export interface LoadOptions {
  /** Gateway origin, e.g. http://127.0.0.1:8080 (a trailing `/api/v1` is tolerated). */
  baseUrl: string
  /** Scenario arrivals per second at full rate. */
  rate: number
  durationSeconds: number
  /** Linear ramp from 0 to `rate` (default 0: full rate at once). */
  rampSeconds?: number
  /** Weights of the scenarios (default browse 30, search 20, view 20, cart 10, checkout 10, history 10). */
  mix?: Partial<Record<ScenarioName, number>>
  /** Scenarios running at once; an arrival beyond it is dropped (default 64). */
  maxInFlight?: number
  /** Pool size of virtual shoppers (default 8). */
  shoppers?: number
  /** Weights of the test cards at checkout (default approved 85, declined 8, insufficient 5, transient 2). */
  cards?: Partial<Record<CardName, number>>
  /** How a checkout follows its order to a final status (default `stream`). */
  followOrders?: 'poll' | 'stream' | 'none'
  /** How long to wait for an order to end (default 60). */
  finalTimeoutSeconds?: number
  /**
   * Percent of the shoppers whose order is declined (`payment_failed`) that pay again with the
   * approved card; the others cancel the order (default 70).
   */
  retryAfterDeclinePercent?: number
  /** A progress line every second or so: true writes to stderr; a function gets each line. */
  progress?: boolean | ((line: string) => void)
  /** Stops arrivals early; scenarios under way still finish (bounded by `finalTimeoutSeconds`). */
  signal?: AbortSignal
  /** `poisson` (default): random gaps at the target rate; `uniform`: evenly spaced. */
  arrivals?: 'poisson' | 'uniform'
  /** Deadline of one request (default 10). */
  requestTimeoutSeconds?: number
  /** Longest `retry-after` a throttled request waits before giving up (default 15). */
  maxRetryWaitSeconds?: number
  /**
   * A JSON file keeping the shoppers' credentials between runs (refresh tokens, else login), so
   * repeated runs stay within the registration limit. Default: none (register a fresh pool).
   */
  statePath?: string
  /** Seed of the random choices (default: random). */
  seed?: number
}

/** Latencies in milliseconds. */
export interface OperationStats {
  name: string
  count: number
  errors: number
  throttled: number
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
  /** Answers that are business outcomes, not errors (e.g. 409 not enough stock). */
  expected: number
}

export interface Percentiles {
  p50: number
  p90: number
  p99: number
  max: number
}

export interface CheckoutReport {
  /** Orders accepted (202). */
  placed: number
  /** Orders seen confirmed (or shipped). */
  confirmed: number
  /** Orders seen cancelled, by `cancellationReason`. */
  cancelled: Record<string, number>
  /** Placed orders not seen final within `finalTimeoutSeconds` (or not followed). */
  unfinished: number
  /** From sending `POST /orders` to seeing the final status, ms. */
  placeToFinal: Percentiles
  /** Checkouts that placed no order, by why (out_of_stock, throttled, error, no_shopper). */
  notPlaced: Record<string, number>
  /** Final outcome (`confirmed`, `cancelled:<reason>`, `unfinished`) per test card. */
  byCard: Partial<Record<CardName, Record<string, number>>>
  /** What shoppers did with orders left `payment_failed` by a declined or failed payment. */
  afterDecline: AfterDeclineReport
}

export interface AfterDeclineReport {
  /** Orders seen `payment_failed` (each once, however often declined). */
  declined: number
  /** Payment attempts with the approved card after a decline (`POST …/payment-attempts`). */
  retries: number
  /** Final outcome (`confirmed`, `cancelled:<reason>`, `unfinished`) of the orders paid again. */
  retryOutcomes: Record<string, number>
  /** Orders the shopper cancelled after a decline (`POST …/cancel` answered 2xx). */
  cancelled: number
  /** Retries or cancellations the platform refused or did not answer (e.g. past the deadline). */
  refused: number
}

export interface LoadReport {
  startedAt: string
  /** From the first arrival to the last scenario's end. */
  seconds: number
  operations: OperationStats[]
  checkout: CheckoutReport
  totals: {
    requests: number
    errors: number
    throttled: number
    dropped: number
    errorRate: number
    /** Expected business outcomes among the answers (not errors). */
    expected: number
  }
  errorsByKind: Record<string, number>
  /** Arrivals not started, by why: `max_in_flight`, or `no_shopper` (all busy or none signed in). */
  droppedByReason: Record<string, number>
  /** Scenarios started and finished without an error, per scenario. */
  scenarios: Record<string, { started: number; completed: number }>
  shoppers: { pool: number; reused: number; loggedIn: number; registered: number; note?: string }
  settings: {
    baseUrl: string
    rate: number
    durationSeconds: number
    rampSeconds: number
    maxInFlight: number
    followOrders: string
  }
  orderIds: string[]
  productIds: string[]
}

export interface InvariantResult {
  name: string
  ok: boolean
  detail: string
  /** The check could not run (e.g. no admin could sign in); `ok` is then true. */
  skipped?: boolean
}

export interface InvariantOptions {
  baseUrl: string
  admin: { email: string; password: string } | { token: string }
  /** How long to wait for open orders to end (default 30). */
  settleSeconds?: number
  /** Products whose stock is checked (those the run touched). */
  productIds?: string[]
  /** Register the admin when it cannot log in (it is admin if ADMIN_EMAILS lists it; default true). */
  registerAdmin?: boolean
  requestTimeoutSeconds?: number
}
