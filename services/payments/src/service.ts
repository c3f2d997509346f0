/*
 * Payments, decided (docs/checkout.md, "Card data" and "Payments"; README.md for providers):
 * - Cards are tokenized synchronously for orders at placement; only the provider's token, last4,
 *   brand and expiry are kept.
 * - The consumer of `order.payment-requested` only records the payment `pending` in its inbox
 *   transaction. A processor claims due payments under a lease (SKIP LOCKED on PostgreSQL), calls
 *   the provider outside any transaction with per-order idempotency keys, retrying transient
 *   failures with jittered backoff, and records state, ledger and event in one transaction.
 * - `order.cancelled` is remembered; a captured payment is refunded, one not yet charged is
 *   declined (`order_cancelled`) or its hold voided.
 * - `GET /payments` does not list a payment still `pending`: no public status says "nothing
 *   asked of the provider yet"; `refund_pending` shows as `captured` until the refund lands.
 */
import {
  createJwtVerifier,
  createLogger,
  createOutbox,
  createServiceTrust,
  openDatabase,
  withAfterCommit,
  parseTrustedCallers,
  requireServiceCaller,
  startPeriodic,
  type Database,
  type JwtVerifier,
  type Logger,
  type PeriodicJob,
  type Service,
  type ServiceTrust,
} from '@emporium/platform'
import { createProviderCaller } from './app/call-provider.js'
import { createChargeLimit } from './app/charge-limit.js'
import { createListPayments } from './app/list-payments.js'
import type { ClaimedPayment, PaymentProvider } from './app/ports.js'
import { createPaymentProcessor } from './app/process-payments.js'
import { createProcessorLoop } from './app/processor-loop.js'
import { createTokenizeCard } from './app/tokenize-card.js'
import type { PaymentsConfig } from './config.js'
import { onOrderCancelled } from './events/on-order-cancelled.js'
import { onPaymentRequested } from './events/on-payment-requested.js'
import { onRefundRequested } from './events/on-refund-requested.js'
import { createRefundProcessor } from './app/process-refunds.js'
import { createSqlPartialRefunds, partialRefundWriterIn } from './infra/sql-partial-refunds.js'
import { paymentsRoutes } from './http/routes.js'
import { simulatorRoutes } from './http/simulator-routes.js'
import { createKyselyPaymentStore } from './infra/kysely-payment-store.js'
import { createSqlPaymentWriter } from './infra/sql-payment-writer.js'
import { createSimulatorFaults, withSimulatedFaults } from './infra/simulated-faults.js'
import { createSimulatedProvider } from './infra/simulated-provider.js'
import { createAcquirerTable, createSqlAcquirerStore } from './infra/sql-acquirer-store.js'
import type { PaymentsTables } from './infra/tables.js'

export { PaymentsConfig, loadPaymentsConfig } from './config.js'
export { ProviderTransientError, type PaymentProvider } from './app/ports.js'

export interface PaymentsServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: PAYMENTS_DATABASE_URL. */
  database?: Database
  /** The clock of timestamps, leases and expiry checks; tests move it. */
  now?: () => Date
  /** Token verification (default: the JWKS at PAYMENTS_JWKS_URL). */
  verifier?: JwtVerifier
  /** The services whose credentials are checked (default: PAYMENTS_TRUSTED_CALLERS). */
  serviceTrust?: ServiceTrust
  /**
   * The provider instead of the one PAYMENTS_PROVIDER names; or a function of that one (tests
   * wrap the simulated acquirer to inject faults).
   */
  provider?: PaymentProvider | ((builtIn: PaymentProvider) => PaymentProvider)
  /** Period of the processor loop (default 200 ms); 0 disables it (tests call processPending). */
  processIntervalMs?: number
  /** Payments one processPending call claims (default 20); tests make races with small ones. */
  processBatchSize?: number
}

/** The service value plus what tests drive directly. */
export interface PaymentsService extends Service {
  /** Claims due payments and works on them until each is finished or must wait; how many. */
  processPending(): Promise<number>
}

/**
 * The payments service: tokenized cards, one payment per order charged through the provider,
 * refunds, and the append-only ledger. PostgreSQL in production, PGlite embedded.
 */
export async function createPaymentsService(
  config: PaymentsConfig,
  deps: PaymentsServiceDeps = {},
): Promise<PaymentsService> {
  const log =
    deps.log ??
    createLogger({ service: 'payments', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const now = deps.now ?? (() => new Date())
  // Consumers wake the processor once their transaction (a batch of events) has committed.
  const { database, afterCommit, afterEnd } = withAfterCommit(
    (deps.database ??
      (await openDatabase(config.PAYMENTS_DATABASE_URL, {
        name: 'payments',
        namedStatements: config.DATABASE_NAMED_STATEMENTS,
        deferBegin: config.DATABASE_DEFER_BEGIN,
      }))) as Database<PaymentsTables>,
  )
  const verifier =
    deps.verifier ??
    createJwtVerifier({
      jwksUrl: config.PAYMENTS_JWKS_URL,
      issuer: config.PAYMENTS_JWT_ISSUER,
      audience: config.PAYMENTS_JWT_AUDIENCE,
      log,
      revocations: config.REVOCATIONS_URL,
    })
  // The simulated acquirer stands for an external system: in its own database when one is named.
  const acquirerDatabase = config.PAYMENTS_SIMULATOR_DATABASE_URL
    ? ((await openDatabase(config.PAYMENTS_SIMULATOR_DATABASE_URL, {
        name: 'acquirer',
        poolSize: 4,
        namedStatements: config.DATABASE_NAMED_STATEMENTS,
        deferBegin: config.DATABASE_DEFER_BEGIN,
      })) as Database<PaymentsTables>)
    : undefined
  if (acquirerDatabase) await createAcquirerTable(acquirerDatabase.db)
  const acquirerStore = createSqlAcquirerStore((acquirerDatabase ?? database).db)
  // The chaos runner's outages (PAYMENTS_SIMULATED_FAULTS_API); without it nothing reads them.
  const serviceTrust =
    deps.serviceTrust ??
    createServiceTrust(
      parseTrustedCallers('PAYMENTS_TRUSTED_CALLERS', config.PAYMENTS_TRUSTED_CALLERS),
      { log },
    )
  if (serviceTrust.callers.length === 0) {
    log.warn('PAYMENTS_TRUSTED_CALLERS is empty: no service can tokenize cards (orders cannot)')
  }
  const faults = config.PAYMENTS_SIMULATED_FAULTS_API
    ? createSimulatorFaults({ store: acquirerStore, now })
    : undefined
  const simulated = createSimulatedProvider({
    store: acquirerStore,
    slowMs: config.PAYMENTS_SIMULATED_SLOW_MS,
  })
  const builtIn = faults ? withSimulatedFaults(simulated, { faults }) : simulated
  const provider =
    typeof deps.provider === 'function' ? deps.provider(builtIn) : (deps.provider ?? builtIn)
  const store = createKyselyPaymentStore({
    database,
    outbox: createOutbox({ source: 'payments', now }),
  })
  const backoffCapMs = 5_000
  const callProvider = createProviderCaller({
    maxAttempts: config.PAYMENTS_MAX_ATTEMPTS,
    baseMs: config.PAYMENTS_RETRY_BASE_MS,
    capMs: backoffCapMs,
    timeoutMs: config.PAYMENTS_PROVIDER_TIMEOUT_MS,
    log,
  })
  const declineLimits = {
    perUser: config.PAYMENTS_MAX_DECLINES_PER_USER,
    perCard: config.PAYMENTS_MAX_DECLINES_PER_CARD,
    windowMs: config.PAYMENTS_DECLINE_WINDOW_SECONDS * 1000,
  }
  const processor = createPaymentProcessor({
    store,
    chargeLimit: createChargeLimit({ declines: store, limits: declineLimits, now }),
    provider,
    callProvider,
    now,
    log,
    batchSize: deps.processBatchSize,
    // One step's calls and backoff, with room to record: a crashed replica's lease ends soon after.
    leaseMs:
      config.PAYMENTS_MAX_ATTEMPTS * (config.PAYMENTS_PROVIDER_TIMEOUT_MS + backoffCapMs) + 5_000,
  })
  const intervalMs = deps.processIntervalMs ?? 200
  // Partial refunds (issue 19): their own processor, woken by their consumer and every tick.
  const refundOutbox = createOutbox({ source: 'payments', now })
  const refunds = createRefundProcessor({
    store: createSqlPartialRefunds({ database, outbox: refundOutbox }),
    provider,
    callProvider,
    now,
    log,
    leaseMs:
      config.PAYMENTS_MAX_ATTEMPTS * (config.PAYMENTS_PROVIDER_TIMEOUT_MS + backoffCapMs) + 5_000,
  })
  let refunding: Promise<number | undefined> | undefined
  // One pass over the due refunds at a time; a call during one shares it.
  const runRefunds = () =>
    (refunding ??= refunds
      .processPending()
      .catch((error: unknown) => {
        log.warn({ err: error }, 'partial refunds failed')
        return undefined
      })
      .finally(() => {
        refunding = undefined
      }))
  const wakeRefunds = () => {
    if (intervalMs > 0) void runRefunds()
  }
  let refundTimer: PeriodicJob | undefined
  // Idle, the claims grow five times further apart (200 ms → 1 s by default): a retry that
  // falls due waits at most that long, and an idle replica costs a claim a second.
  const loop =
    intervalMs > 0
      ? createProcessorLoop({ processor, intervalMs, maxIntervalMs: intervalMs * 5, log })
      : undefined
  // Consumers call this from inside their transaction: the processor looks once it committed.
  const kick = (trx: object) => afterCommit(trx, () => loop?.wake())
  const paymentsIn = (trx: Parameters<typeof createSqlPaymentWriter>[0]) =>
    createSqlPaymentWriter(trx)
  // A payment requested while this replica's processor has a free slot is claimed in the
  // consumer's own transaction and worked on once it commits: no claim transaction of its own.
  const handOver = async (trx: Parameters<typeof createSqlPaymentWriter>[0], paymentId: string) => {
    const slot = loop?.reserve()
    if (!slot) return false
    const held: { claimed?: ClaimedPayment } = {}
    const terms = processor.claimTerms()
    if (
      !afterEnd(trx, {
        committed: () => {
          if (!held.claimed) return slot.free()
          const { payment } = held.claimed
          log.debug(
            { paymentId: payment.id, orderId: payment.orderId },
            'payment handed over to this replica’s processor, claimed in the consumer’s transaction',
          )
          slot.take(held.claimed, terms.token)
        },
        rolledBack: () => slot.free(),
      })
    ) {
      slot.free()
      return false
    }
    held.claimed = await paymentsIn(trx).claim(paymentId, terms)
    return held.claimed !== undefined
  }

  return {
    name: 'payments',
    database,
    migrations: new URL('../migrations/', import.meta.url),
    consumers: [
      onPaymentRequested({ paymentsIn, now, kick, handOver }),
      onOrderCancelled({ paymentsIn, now, kick }),
      onRefundRequested({
        refundsIn: (trx) => partialRefundWriterIn(trx as never, refundOutbox),
        now,
        kick: (trx) => afterCommit(trx, wakeRefunds),
      }),
    ],
    routes: async (app, options) => {
      await paymentsRoutes({
        verifier,
        // Cards are tokenized for the orders service only (zero trust: the port is no key).
        internalCaller: requireServiceCaller({
          audience: 'payments',
          trust: serviceTrust,
          allowed: ['orders'],
          log,
        }),
        tokenizeCard: createTokenizeCard({
          provider,
          methods: store,
          declines: store,
          limits: declineLimits,
          fingerprintKey: config.PAYMENTS_CARD_FINGERPRINT_KEY,
          now,
        }),
        listPayments: createListPayments({ queries: store }),
        reconciliation: () => store.reconciliation(),
      })(app, options)
      if (faults) {
        await simulatorRoutes({
          verifier,
          setFaults: (request) => faults.set(request),
          currentFaults: () => faults.current(),
        })(app, options)
      }
    },
    processPending: async () =>
      (await processor.processPending()) + (await refunds.processPending()),
    async start() {
      loop?.start()
      if (intervalMs > 0) {
        // Their consumer wakes them at once; the tick finds retries falling due (a second or
        // more of backoff): once a second while it finds some, and every 4 s at rest (issue 14:
        // it claimed twice a second, then once).
        refundTimer = startPeriodic({
          everyMs: Math.max(intervalMs * 5, 1_000),
          maxEveryMs: Math.max(intervalMs * 5, 4_000),
          run: runRefunds,
          log,
          what: 'partial refunds',
        })
      }
    },
    async close() {
      await refundTimer?.stop()
      await refunding
      await loop?.stop()
      if (!deps.database) await database.close()
      await acquirerDatabase?.close()
    },
  }
}
