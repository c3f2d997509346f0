import type { EventDefinition, Money, payments } from '@emporium/contracts'
import type { LedgerKind, PaymentState } from '../domain/payment.js'

/* ---------- The payment provider (a PSP adapter; README.md tells how to add one) ---------- */

/** Card data as the shopper typed it; it reaches the provider's tokenize and nothing else. */
export interface CardDetails {
  cardNumber: string
  expMonth: number
  expYear: number
  cvc: string
}

/** What the provider gives back for a card: a reusable token and what may be shown of it. */
export interface TokenizedCard {
  token: string
  last4: string
  brand: string
}

/** An expected business outcome is a value, never an exception (STYLE.md, "Errors"). */
export type Declined = { ok: false; reason: string }
export type AuthorizeResult = { ok: true; authorizationId: string } | Declined
export type CaptureResult = { ok: true; captureId: string } | Declined
/** A hold that was captured already cannot be voided: `{ok: false, reason: 'already_captured'}`. */
export type VoidResult = { ok: true; voidId: string } | Declined

/**
 * A payment service provider, shaped like a real one (Stripe's PaymentIntents): every call that
 * moves money carries an idempotency key, and a repeated key answers with the first result
 * without a second effect. Calls that fail transiently (the provider is down, overloaded, or a
 * network fault) throw `ProviderTransientError`; anything else thrown is a bug or a refusal that
 * retrying cannot fix.
 */
export interface PaymentProvider {
  /** Exchanges a card for a token the charges use later. */
  tokenize(card: CardDetails): Promise<TokenizedCard>
  /** Holds `amount` on the tokenized card, or declines (`card_declined`, ...). */
  authorize(request: {
    idempotencyKey: string
    token: string
    amount: Money
  }): Promise<AuthorizeResult>
  /** Takes the held money. */
  capture(request: {
    idempotencyKey: string
    authorizationId: string
    amount: Money
  }): Promise<CaptureResult>
  /**
   * Gives captured money back: `amount` of it. A partial refund names its `partialRefundId`
   * (several per capture, each once); without one the refund is the capture's last (one per
   * capture).
   */
  refund(request: {
    idempotencyKey: string
    captureId: string
    amount: Money
    partialRefundId?: string
  }): Promise<{ refundId: string }>
  /** Releases a hold that will not be captured; refused (`already_captured`) once captured. */
  void(request: { idempotencyKey: string; authorizationId: string }): Promise<VoidResult>
}

/** The provider could not answer now; the same call (same idempotency key) may be retried. */
export class ProviderTransientError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'ProviderTransientError'
  }
}

/* ---------- Storage ---------- */

/** A tokenized card as kept here: never the number or the CVC. */
export interface StoredPaymentMethod {
  id: string
  userId: string
  providerToken: string
  last4: string
  brand: string
  expMonth: number
  expYear: number
  createdAt: Date
  /** Keyed hash of the card number (domain/decline-velocity.ts): the same card, never the number. */
  cardFingerprint?: string | null
}

/** A payment row. */
export interface PaymentRecord {
  id: string
  orderId: string
  /** The order's payment attempt, from 1: each retry after a decline is a payment of its own. */
  attempt: number
  userId: string
  paymentMethodId: string
  providerToken: string
  amount: Money
  last4: string
  brand: string
  state: PaymentState
  declineReason: string | null
  authorizationId: string | null
  captureId: string | null
  refundId: string | null
  /** Of the `order.payment-requested` event: the events we publish continue its flow. */
  correlationId: string
  causationId: string | null
  /** Processing passes that ended in a failure since the last success (sets the retry delay). */
  failures: number
  /**
   * Times the processor has claimed it, this claim included: more than one while `pending` means
   * an earlier pass may have reached the provider (and even captured) before it ended.
   */
  claims: number
  createdAt: Date
  updatedAt: Date
}

export type NewPayment = Omit<
  PaymentRecord,
  'declineReason' | 'authorizationId' | 'captureId' | 'refundId' | 'failures' | 'claims' | 'state'
>

export interface PaymentMethodStore {
  save(method: StoredPaymentMethod): Promise<void>
}

/**
 * Who a velocity limit counts the declines of: a user, a card (by its fingerprint), or the card
 * of a payment method (its fingerprint looked up in the same read; none for an old card).
 */
export type DeclineSubject =
  { userId: string } | { cardFingerprint: string } | { cardOfMethod: string }

/** Declines by the provider (not cancellations, not provider errors), for velocity limits. */
export interface DeclineHistory {
  /**
   * When the newest declines of each subject since `since` happened, newest first, at most
   * `limit` of each: one read for all the subjects.
   */
  recentDeclines(
    subjects: ReadonlyArray<{ subject: DeclineSubject; limit: number }>,
    since: Date,
  ): Promise<Date[][]>
  /**
   * How many payments of `subject` requested since `since` and before `payment` (by creation
   * time, then id) are still undecided (`pending` or `authorized`): attempts that may yet be
   * declined, ahead of this one.
   */
  undecidedAhead(
    subject: DeclineSubject,
    payment: { id: string; createdAt: Date },
    since: Date,
  ): Promise<number>
  /** The card fingerprint of a payment method; null for a card tokenized before fingerprints. */
  fingerprintOf(paymentMethodId: string): Promise<string | null>
}

/** The consumers' writes, inside their inbox transaction (service.ts binds it). */
export interface PaymentWriter {
  /**
   * Inserts a `pending` payment with the card of its payment method (its token, last4 and brand
   * read in the same statement): `inserted`; `exists` (nothing written) when the order has one
   * for this attempt already; `unknown_method` (nothing written) when the method is not there or
   * not the payment's user's.
   */
  insertPending(
    payment: Omit<NewPayment, 'providerToken' | 'last4' | 'brand'>,
  ): Promise<'inserted' | 'exists' | 'unknown_method'>
  /**
   * Leases a payment just inserted in this transaction to the processor of this replica (as
   * `claimDue` would), so that the processor can start on it once the transaction commits.
   */
  claim(paymentId: string, terms: ClaimTerms): Promise<ClaimedPayment | undefined>
  /** Records that an order is cancelled; a repeat is a no-op. */
  recordCancellation(cancellation: { orderId: string; reason: string; at: Date }): Promise<void>
  /** The order's payments (one per attempt), locked until the transaction ends. */
  lockPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]>
  setState(paymentId: string, state: PaymentState, at: Date): Promise<void>
}

/** An event to write to the outbox with a state change; `id` makes it once-only. */
export interface PendingEvent {
  id: string
  event: EventDefinition<string, unknown>
  data: unknown
}

/** A state change of a payment, with its ledger entries and events, written in one transaction. */
export interface Transition {
  state: PaymentState
  declineReason?: string
  authorizationId?: string
  captureId?: string
  refundId?: string
  /**
   * The provider effects this records (append-only; at most one per payment and kind: an
   * authorization and its capture may be recorded together), each for the payment's amount or
   * `amount` (a cancellation's refund of what partial refunds left).
   */
  ledger?: Array<{ kind: LedgerKind; reference: string; amount?: number }>
  events?: PendingEvent[]
}

/** A payment as the processor last read it, and whether its order was cancelled then. */
export interface ClaimedPayment {
  payment: PaymentRecord
  cancelled: boolean
  /**
   * How many declines its user and its card had since `declinesSince`, read with the claim
   * (app/charge-limit.ts decides from them without a read of its own when both are 0).
   */
  declines?: { user: number; card: number }
}

/** What the processor needs of the database. */
/** A lease's terms: its holder, its end, and the window of declines to count with it. */
export interface ClaimTerms {
  token: string
  until: Date
  declinesSince?: Date
}

export interface ProcessorStore {
  /**
   * Takes up to `limit` payments with work to do and no live lease (oldest first, skipping rows
   * another replica is taking), leasing them to `token` until `until`; each with whether its
   * order is cancelled, read in the same statement.
   */
  claimDue(options: {
    now: Date
    until: Date
    token: string
    limit: number
    /** Count each claimed payment's user's and card's declines since then (`declines`). */
    declinesSince?: Date
  }): Promise<ClaimedPayment[]>
  /** What the payment's partial refunds (pending or refunded) give back, in minor units. */
  partiallyRefunded(paymentId: string): Promise<number>
  /** Prolongs the lease; false when `token` lost it (another processor took over). */
  extendClaim(id: string, token: string, until: Date): Promise<boolean>
  /**
   * Ends the lease. `retryAt` keeps the payment out of reach until then (after a failure, which
   * also counts in `failures`, unless `failed` is false: a wait that is no failure); null makes
   * it due at once or leaves a finished one alone.
   */
  releaseClaim(
    id: string,
    token: string,
    retryAt: Date | null,
    options?: { failed?: boolean },
  ): Promise<void>
  /**
   * In one transaction: locks the payment, re-reads whether its order is cancelled, and applies
   * what `decide` returns (state, ledger entry, outbox events). Returns the payment as it then is
   * (unchanged when `decide` returned undefined) and the cancellation it saw. A payment that
   * leaves the states with work to do has `token`'s lease ended in the same statement
   * (`released`), so a finished payment costs no further write.
   */
  transition(
    id: string,
    at: Date,
    decide: (payment: PaymentRecord, cancelled: boolean) => Transition | undefined,
    token?: string,
  ): Promise<ClaimedPayment & { released: boolean }>
}

/** Reads for the HTTP API. */
export interface PaymentQueries {
  /** Newest first, excluding `pending` payments; `after` continues a previous page. */
  list(query: {
    userId?: string
    orderId?: string
    limit: number
    after?: { createdAt: Date; id: string }
  }): Promise<PaymentRecord[]>
  reconciliation(): Promise<payments.Reconciliation>
}
