import type { Logger } from '@emporium/platform/app'
import type { ClaimedPayment } from './ports.js'
import type { PaymentProcessor } from './process-payments.js'

/** A slot of the loop held for a payment being claimed inside a transaction. */
export interface Slot {
  /** The transaction committed with the claim: work on the payment in this slot. */
  take(claimed: ClaimedPayment, token: string): void
  /** It rolled back, or claimed nothing: the slot is free again. */
  free(): void
}

export interface ProcessorLoop {
  start(): void
  /**
   * Holds a free slot, or none when every slot is busy (or the loop is stopped): then the
   * payment waits for a claim of the loop's own, as before.
   */
  reserve(): Slot | undefined
  /** Look now rather than at the next tick (a consumer just recorded work). */
  wake(): void
  /** Ends the loop and waits for the payments in flight. */
  stop(): Promise<void>
}

/**
 * Runs the processor in the background: every `intervalMs`, or at once when woken, it claims as
 * many due payments as it has free slots and works on them without waiting for each other, so a
 * slow provider answer holds one slot, not the queue.
 */
export function createProcessorLoop(deps: {
  processor: PaymentProcessor
  intervalMs: number
  /**
   * The longest interval: each timed claim in a row that finds nothing due doubles the interval
   * up to this (default: `intervalMs`, fixed); a wake-up or a claim that found payments brings
   * it back. An idle replica then costs a claim a second, not five.
   */
  maxIntervalMs?: number
  /** Payments worked on at once by this replica. */
  concurrency?: number
  log: Logger
}): ProcessorLoop {
  const concurrency = deps.concurrency ?? 20
  const inFlight = new Set<Promise<void>>()
  let running = false
  let woken = false
  let done: Promise<void> = Promise.resolve()
  let sleeping: (() => void) | undefined
  let failures = 0
  /** Timed claims in a row that found nothing due. */
  let emptyClaims = 0
  const maxIntervalMs = Math.max(deps.intervalMs, deps.maxIntervalMs ?? deps.intervalMs)
  /** Slots held by transactions that are claiming a payment for this loop. */
  let reserved = 0

  // Whether the last claim filled every free slot: then more are probably waiting, and a slot
  // that frees looks again at once. Otherwise nothing else was due: a consumer's wake() or the
  // interval brings the next ones, and a freed slot costs no empty claim.
  let backlog = false

  async function tick(timed: boolean): Promise<boolean> {
    const free = concurrency - inFlight.size - reserved
    if (free <= 0) return false
    const { token, claimed } = await deps.processor.claim(free)
    emptyClaims = timed && claimed.length === 0 ? emptyClaims + 1 : 0
    backlog = claimed.length === free
    for (const payment of claimed) work(payment, token)
    return false
  }

  function work(payment: ClaimedPayment, token: string): void {
    const done: Promise<void> = deps.processor.advance(payment, token).finally(() => {
      inFlight.delete(done)
      if (backlog) wake()
    })
    inFlight.add(done)
  }

  function reserve(): Slot | undefined {
    if (!running || inFlight.size + reserved >= concurrency) return undefined
    reserved += 1
    let settled = false
    const settle = () => {
      if (settled) return false
      settled = true
      reserved -= 1
      return true
    }
    return {
      take(claimed, token) {
        if (settle()) work(claimed, token)
      },
      free() {
        if (settle() && backlog) wake()
      },
    }
  }

  async function loop(): Promise<void> {
    let timed = false
    while (running) {
      const wasWoken = woken
      woken = false
      let more = false
      try {
        more = await tick(timed && !wasWoken)
        failures = 0
      } catch (error) {
        failures += 1
        if (failures === 1) deps.log.warn({ err: error }, 'payment processor: claiming failed')
      }
      if (!running) break
      if (failures === 0 && (more || woken)) continue
      await new Promise<void>((resolve) => {
        const idle = Math.min(maxIntervalMs, deps.intervalMs * 2 ** Math.min(emptyClaims, 20))
        const delay = failures > 0 ? deps.intervalMs * Math.min(2 ** failures, 50) : idle
        const timer = setTimeout(() => finish(true), delay)
        function finish(timeout = false) {
          clearTimeout(timer)
          sleeping = undefined
          timed = timeout
          resolve()
        }
        sleeping = finish
      })
    }
  }

  function wake(): void {
    woken = true
    sleeping?.()
  }

  return {
    start() {
      if (running) return
      running = true
      done = loop().catch((error: unknown) => {
        running = false
        deps.log.error({ err: error }, 'payment processor stopped unexpectedly')
      })
    },
    wake,
    reserve,
    async stop() {
      running = false
      sleeping?.()
      await done
      await Promise.allSettled([...inFlight])
    },
  }
}
