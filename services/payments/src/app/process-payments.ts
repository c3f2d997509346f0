import { randomUUID } from 'node:crypto'
import { payments as contract } from '@emporium/contracts'
import type { Logger } from '@emporium/platform/app'
import { backoffDelayMs } from '../domain/backoff.js'
import {
  DeclineReason,
  dueStates,
  idempotencyKey,
  PaymentState,
  type ProviderOperation,
} from '../domain/payment.js'
import type { ChargeLimit } from './charge-limit.js'
import type { ProviderCaller } from './call-provider.js'
import type {
  ClaimedPayment,
  ClaimTerms,
  PaymentProvider,
  PaymentRecord,
  PendingEvent,
  ProcessorStore,
  Transition,
} from './ports.js'

export interface PaymentProcessorDeps {
  store: ProcessorStore
  provider: PaymentProvider
  callProvider: ProviderCaller
  now: () => Date
  log: Logger
  /** How long a claim lasts; renewed before each provider step. Longer than one step's retries. */
  leaseMs: number
  /** Payments one `processPending` takes. */
  batchSize?: number
  /**
   * Whether a charge goes to the provider, is refused unasked (its user or card is past a
   * decline limit) or waits for those ahead of it (app/charge-limit.ts); none: every one goes.
   */
  chargeLimit?: ChargeLimit
  /** How long a charge held back by `chargeLimit` waits before it looks again. Default 250 ms. */
  chargeWaitMs?: number
}

/**
 * A step's outcome: the payment as recorded (with the cancellation seen and whether the lease
 * ended with it); `later`: after a failure (backoff); `wait`: held back by the decline limits.
 */
type Step = Worked | 'later' | 'wait'
type Worked = ClaimedPayment & { released?: boolean }
type Recorder = (from: PaymentState, change: (cancelled: boolean) => Transition) => Promise<Worked>

/**
 * The processor: takes payments with work to do and moves each through the provider, one step
 * at a time (authorize and capture, or void, or refund). Each provider call happens outside any
 * transaction with the order's idempotency key for that operation; its outcome, ledger entries
 * and event are then recorded in one transaction that re-checks the payment's state and whether
 * its order was cancelled meanwhile. The capture is asked right after the authorization and both
 * are recorded together (issue 14); a capture without an answer records the hold alone. A crash
 * between the calls and the record replays them, which the provider answers with their first
 * results: never a second charge. So a payment still `pending` may be held or captured at the
 * provider when it was claimed before (`claims`): if its order was cancelled meanwhile, the hold
 * is asked for again (same key) and recorded, and the next step voids it or refunds its capture.
 * An order is captured at most once whatever its attempts (issue 18): a payment whose order another attempt has
 * captured already is treated as one of a cancelled order (declined `order_cancelled` before
 * the provider is asked, its hold voided, or a capture that raced it refunded).
 */
export function createPaymentProcessor(deps: PaymentProcessorDeps) {
  const { store, provider, callProvider, log } = deps
  const batchSize = deps.batchSize ?? 20
  const leaseEnd = () => new Date(deps.now().getTime() + deps.leaseMs)

  /** The terms of a new lease: a token of its own, its end, the declines to count with it. */
  function claimTerms(now = deps.now()): ClaimTerms {
    const windowMs = deps.chargeLimit?.windowMs
    return {
      token: randomUUID(),
      until: new Date(now.getTime() + deps.leaseMs),
      ...(windowMs !== undefined && { declinesSince: new Date(now.getTime() - windowMs) }),
    }
  }

  async function claim(limit: number): Promise<{ token: string; claimed: ClaimedPayment[] }> {
    const now = deps.now()
    const terms = claimTerms(now)
    const claimed = await store.claimDue({ now, limit, ...terms })
    return { token: terms.token, claimed }
  }

  /**
   * Works on one claimed payment until it is finished or must wait; never rejects. The lease is
   * prolonged before a provider step only once a third of it has passed (the claim or a recorded
   * step set it just now), and a finished payment's lease ends in its last transition.
   */
  async function advance(claimed: ClaimedPayment, token: string): Promise<void> {
    let current: Worked = claimed
    let payment = claimed.payment
    let leasedAt = performance.now()
    try {
      // At most authorize → capture → refund: the bound only guards against a bug looping.
      for (let steps = 0; steps < 6 && dueStates.includes(payment.state); steps++) {
        if (performance.now() - leasedAt > deps.leaseMs / 3) {
          if (!(await store.extendClaim(payment.id, token, leaseEnd()))) {
            log.warn({ paymentId: payment.id }, 'payment lease lost; another processor has it')
            return
          }
          leasedAt = performance.now()
        }
        const next = await step(current, token)
        if (next === 'wait') {
          const until = new Date(deps.now().getTime() + (deps.chargeWaitMs ?? 250))
          await store.releaseClaim(payment.id, token, until, { failed: false })
          return
        }
        if (next === 'later') {
          await store.releaseClaim(payment.id, token, retryAt(payment.failures + 1))
          return
        }
        current = next
        payment = next.payment
        leasedAt = performance.now()
      }
      if (!current.released) await store.releaseClaim(payment.id, token, null)
    } catch (error) {
      log.error(
        { err: error, paymentId: payment.id, orderId: payment.orderId, state: payment.state },
        'payment processing failed; will retry',
      )
      await store
        .releaseClaim(payment.id, token, retryAt(payment.failures + 1))
        .catch((releaseError: unknown) =>
          log.warn({ err: releaseError, paymentId: payment.id }, 'releasing a payment failed'),
        )
    }
  }

  function retryAt(failures: number): Date {
    const ms = backoffDelayMs(failures, { baseMs: 1_000, capMs: 60_000, random: Math.random })
    return new Date(deps.now().getTime() + ms)
  }

  function step({ payment, cancelled, declines }: Worked, token: string): Promise<Step> {
    const record: Recorder = (from, change) => recordChange(payment, from, change, token)
    switch (payment.state) {
      case PaymentState.pending:
        return authorize(payment, cancelled, record, declines)
      case PaymentState.authorized:
        return captureOrVoid(payment, cancelled, record)
      case PaymentState.refundPending:
        return refund(payment, record)
      default:
        return Promise.resolve({ payment, cancelled })
    }
  }

  const key = (payment: PaymentRecord, operation: ProviderOperation) =>
    idempotencyKey(payment.orderId, operation, payment.attempt)

  /**
   * Records a change if the payment is still in `from` (else another processor moved it), in one
   * transaction that re-reads whether the order is cancelled.
   */
  function recordChange(
    payment: PaymentRecord,
    from: PaymentState,
    change: (cancelled: boolean) => Transition,
    token: string,
  ): Promise<Worked> {
    return store.transition(
      payment.id,
      deps.now(),
      (current, cancelled) => (current.state === from ? change(cancelled) : undefined),
      token,
    )
  }

  // Whether the order is cancelled comes from the last read of the payment (its claim or the
  // previous step's transition): a cancellation landing after that read is seen by the
  // transition recording this step, which then declines, voids or refunds.
  async function authorize(
    payment: PaymentRecord,
    cancelled: boolean,
    record: Recorder,
    declines?: ClaimedPayment['declines'],
  ): Promise<Step> {
    if (cancelled) {
      // Claimed before: that pass may have authorized and even captured before it died (both
      // calls come before their record). Ask again with the same key: the answer is that hold,
      // recorded so that the next step voids it (or refunds its capture).
      if (payment.claims > 1) return authorizeOnly(payment, record)
      return record('pending', () => declined(payment, DeclineReason.orderCancelled))
    }
    const decision = deps.chargeLimit ? await deps.chargeLimit(payment, declines) : 'go'
    if (decision === 'wait') return 'wait'
    if (decision === 'refuse') {
      log.warn(
        { orderId: payment.orderId, userId: payment.userId },
        'charge refused unasked: its user or card is past a decline limit (card testing?)',
      )
      return record('pending', (cancelled) =>
        declined(payment, cancelled ? DeclineReason.orderCancelled : DeclineReason.velocityLimit),
      )
    }
    const result = await callProvider({ operation: 'authorize', orderId: payment.orderId }, () =>
      provider.authorize({
        idempotencyKey: key(payment, 'authorize'),
        token: payment.providerToken,
        amount: payment.amount,
      }),
    )
    if (!result.ok) {
      log.warn({ orderId: payment.orderId, attempts: result.attempts }, 'authorization failed')
      return record('pending', (cancelled) =>
        cancelled
          ? declined(payment, DeclineReason.orderCancelled)
          : declined(payment, DeclineReason.providerError, 'failed'),
      )
    }
    const answer = result.value
    if (!answer.ok) return record('pending', () => declined(payment, answer.reason))
    return capture(payment, answer.authorizationId, record, 'pending')
  }

  /** A cancelled order's payment that an earlier pass may have authorized: that hold, recorded. */
  async function authorizeOnly(payment: PaymentRecord, record: Recorder): Promise<Step> {
    const result = await callProvider({ operation: 'authorize', orderId: payment.orderId }, () =>
      provider.authorize({
        idempotencyKey: key(payment, 'authorize'),
        token: payment.providerToken,
        amount: payment.amount,
      }),
    )
    if (!result.ok) return 'later'
    const answer = result.value
    if (!answer.ok) return record('pending', () => declined(payment, DeclineReason.orderCancelled))
    // The next step voids it, or refunds the capture the void finds.
    return record('pending', () => held(answer.authorizationId))
  }

  function held(authorizationId: string): Transition {
    return {
      state: 'authorized',
      authorizationId,
      ledger: [{ kind: 'authorization', reference: authorizationId }],
    }
  }

  async function captureOrVoid(
    payment: PaymentRecord,
    cancelled: boolean,
    record: Recorder,
  ): Promise<Step> {
    const authorizationId = payment.authorizationId!
    if (cancelled) {
      const result = await callProvider({ operation: 'void', orderId: payment.orderId }, () =>
        provider.void({ idempotencyKey: key(payment, 'void'), authorizationId }),
      )
      if (!result.ok) return 'later'
      const voided = result.value
      if (voided.ok) {
        return record('authorized', () => ({
          ...declined(payment, DeclineReason.orderCancelled),
          ledger: [{ kind: 'void', reference: voided.voidId }],
        }))
      }
      // The hold was captured already: a capture whose answer we lost (a timeout, a crash). Ask
      // for it again with its key, which answers with that capture; it is recorded below and,
      // the order being cancelled, refunded.
      if (voided.reason !== 'already_captured') {
        throw new Error(`the provider refused to void ${authorizationId}: ${voided.reason}`)
      }
      log.warn({ orderId: payment.orderId }, 'void refused: captured already; refunding instead')
    }
    return capture(payment, authorizationId, record, 'authorized')
  }

  /**
   * Captures the hold. From `pending`, right after the authorization, and the hold is recorded
   * with the capture in one transaction (issue 14: one fewer per order than recording the hold
   * first); a capture the provider did not answer then records the hold alone (`authorized`),
   * to be captured or voided later.
   */
  async function capture(
    payment: PaymentRecord,
    authorizationId: string,
    record: Recorder,
    from: 'pending' | 'authorized',
  ): Promise<Step> {
    const hold = from === 'pending' ? held(authorizationId) : undefined
    const withHold = (change: Transition): Transition =>
      hold
        ? { ...change, authorizationId, ledger: [...hold.ledger!, ...(change.ledger ?? [])] }
        : change
    const result = await callProvider({ operation: 'capture', orderId: payment.orderId }, () =>
      provider.capture({
        idempotencyKey: key(payment, 'capture'),
        authorizationId,
        amount: payment.amount,
      }),
    )
    // Never "failed" here: a capture whose answer was lost may have happened. Try again later;
    // if the order is cancelled meanwhile, the hold is voided instead (or, if that capture did
    // happen, the provider refuses the void and the capture is refunded).
    if (!result.ok) {
      if (hold) await record(from, () => hold)
      return 'later'
    }
    const answer = result.value
    if (!answer.ok) return record(from, () => withHold(declined(payment, answer.reason)))
    return record(from, (cancelled) =>
      withHold({
        // Captured after the order was cancelled: refund it straight away.
        state: cancelled ? 'refund_pending' : 'captured',
        captureId: answer.captureId,
        ledger: [{ kind: 'capture', reference: answer.captureId }],
        events: [event(payment, contract.PaymentCaptured, 'captured', {})],
      }),
    )
  }

  /**
   * A cancelled order's capture is refunded: what its partial refunds (issue 19) did not give
   * back already. Those are frozen once the payment is `refund_pending` (a partial refund asked
   * later is refused), so a replayed call asks the provider for the same amount.
   */
  async function refund(payment: PaymentRecord, record: Recorder): Promise<Step> {
    const left = payment.amount.amount - (await store.partiallyRefunded(payment.id))
    const amount = { ...payment.amount, amount: Math.max(0, left) }
    if (amount.amount === 0) {
      // Refunded in full by partial refunds: nothing to ask the provider.
      return record('refund_pending', () => ({
        state: 'refunded',
        events: [event(payment, contract.PaymentRefunded, 'refunded', { amount })],
      }))
    }
    const result = await callProvider({ operation: 'refund', orderId: payment.orderId }, () =>
      provider.refund({
        idempotencyKey: key(payment, 'refund'),
        captureId: payment.captureId!,
        amount,
      }),
    )
    if (!result.ok) return 'later'
    return record('refund_pending', () => ({
      state: 'refunded',
      refundId: result.value.refundId,
      ledger: [{ kind: 'refund', reference: result.value.refundId, amount: amount.amount }],
      events: [event(payment, contract.PaymentRefunded, 'refunded', { amount })],
    }))
  }

  function declined(
    payment: PaymentRecord,
    reason: string,
    state: 'declined' | 'failed' = 'declined',
  ): Transition {
    return {
      state,
      declineReason: reason,
      events: [event(payment, contract.PaymentDeclined, 'declined', { reason })],
    }
  }

  function event(
    payment: PaymentRecord,
    definition: PendingEvent['event'],
    suffix: string,
    extra: Record<string, unknown>,
  ): PendingEvent {
    return {
      // One id per fact: the outbox's primary key refuses a second copy of it.
      id: `${payment.id}:${suffix}`,
      event: definition,
      data: {
        paymentId: payment.id,
        orderId: payment.orderId,
        attempt: payment.attempt,
        userId: payment.userId,
        amount: payment.amount,
        last4: payment.last4,
        at: deps.now().toISOString(),
        ...extra,
      },
    }
  }

  /** Claims a batch of due payments and works on them together; resolves with how many. */
  async function processPending(): Promise<number> {
    const { token, claimed } = await claim(batchSize)
    await Promise.all(claimed.map((payment) => advance(payment, token)))
    return claimed.length
  }

  return { claim, claimTerms, advance, processPending }
}

export type PaymentProcessor = ReturnType<typeof createPaymentProcessor>
