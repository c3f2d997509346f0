import { ProviderTransientError, type PaymentProvider } from '../app/ports.js'

/**
 * An outage of the simulated acquirer, scheduled by the chaos runner through
 * `POST /internal/simulator/faults` (PAYMENTS_SIMULATED_FAULTS_API). It lives in the acquirer's
 * own state, as a real provider's outage lives on its side: every replica sees the same one, and
 * it outlives our restarts.
 */
export interface SimulatedFaults {
  /** Share of calls refused before they reach the acquirer (nothing happens; a 503 at a PSP). */
  errorRate: number
  /**
   * Share of calls whose effect happens but whose answer is lost (a timeout after the PSP acted):
   * the caller sees a transient error and must retry with the same idempotency key.
   */
  lostReplyRate: number
  /** End of the outage (RFC 3339). */
  until: string
}

/** Where the outage is kept: the acquirer's own store (its SQL table in production). */
export interface FaultStore {
  read(key: string): Promise<string | undefined>
  /** Stores `value` under `key`, replacing what it held. */
  write(key: string, value: string): Promise<void>
}

const faultsKey = 'faults'

/** Reads and schedules outages of the simulated acquirer. */
export function createSimulatorFaults(deps: { store: FaultStore; now?: () => Date }) {
  const now = deps.now ?? (() => new Date())
  return {
    /** Starts (or replaces, or with `seconds: 0` ends) an outage lasting `seconds` from now. */
    async set(request: {
      errorRate: number
      lostReplyRate?: number
      seconds: number
    }): Promise<SimulatedFaults> {
      const faults: SimulatedFaults = {
        errorRate: request.errorRate,
        lostReplyRate: request.lostReplyRate ?? 0,
        until: new Date(now().getTime() + request.seconds * 1000).toISOString(),
      }
      await deps.store.write(faultsKey, JSON.stringify(faults))
      return faults
    },
    /** The outage in force now, if any. */
    async current(): Promise<SimulatedFaults | undefined> {
      const stored = await deps.store.read(faultsKey)
      if (stored === undefined) return undefined
      const faults = JSON.parse(stored) as SimulatedFaults
      return Date.parse(faults.until) > now().getTime() ? faults : undefined
    },
  }
}

export type SimulatorFaults = ReturnType<typeof createSimulatorFaults>

/**
 * The acquirer behind an outage: while one is in force, each call draws once and is refused
 * (`errorRate`), or acts and then loses its answer (`lostReplyRate`), or goes through. Both
 * failures are `ProviderTransientError`s, what a network fault or a PSP's 5xx is to the adapter.
 */
export function withSimulatedFaults(
  inner: PaymentProvider,
  deps: { faults: SimulatorFaults; random?: () => number },
): PaymentProvider {
  const random = deps.random ?? Math.random
  async function faulty<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const faults = await deps.faults.current()
    if (!faults) return call()
    const draw = random()
    if (draw < faults.errorRate) {
      throw new ProviderTransientError(`simulated outage: ${operation} refused`)
    }
    const result = await call()
    if (draw < faults.errorRate + faults.lostReplyRate) {
      throw new ProviderTransientError(`simulated outage: ${operation} answer lost`)
    }
    return result
  }
  return {
    tokenize: (card) => faulty('tokenize', () => inner.tokenize(card)),
    authorize: (request) => faulty('authorize', () => inner.authorize(request)),
    capture: (request) => faulty('capture', () => inner.capture(request)),
    refund: (request) => faulty('refund', () => inner.refund(request)),
    void: (request) => faulty('void', () => inner.void(request)),
  }
}
