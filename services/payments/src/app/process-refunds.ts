import { randomUUID } from 'node:crypto'
import type { Logger } from '@emporium/platform/app'
import { backoffDelayMs } from '../domain/backoff.js'
import type { ProviderCaller } from './call-provider.js'
import type { PaymentProvider } from './ports.js'
import type { PartialRefund, PartialRefundStore } from './refund-ports.js'

/**
 * The partial refunds' processor (issue 19): takes pending refunds under a lease and asks the
 * provider for each, outside any transaction, with the refund's own idempotency key (a replay
 * after a crash is answered with the first refund: never twice); the outcome, its ledger entry
 * and `payment.refunded` (with the `refundId`) are then recorded in one transaction. A provider
 * that keeps failing is asked again later, with the payments' backoff.
 */
export function createRefundProcessor(deps: {
  store: PartialRefundStore
  provider: PaymentProvider
  callProvider: ProviderCaller
  now: () => Date
  log: Logger
  leaseMs: number
  batchSize?: number
}) {
  const { store, log } = deps

  async function work(refund: PartialRefund, token: string): Promise<void> {
    try {
      const result = await deps.callProvider({ operation: 'refund', orderId: refund.orderId }, () =>
        deps.provider.refund({
          idempotencyKey: `partial-refund:${refund.id}`,
          captureId: refund.captureId,
          amount: refund.amount,
          partialRefundId: refund.id,
        }),
      )
      if (!result.ok) {
        log.warn({ refundId: refund.id, orderId: refund.orderId }, 'partial refund failed; later')
        await store.release(refund.id, token, retryAt(refund.failures + 1))
        return
      }
      await store.recordRefunded(refund, result.value.refundId, deps.now())
    } catch (error) {
      log.error({ err: error, refundId: refund.id }, 'partial refund failed; will retry')
      await store
        .release(refund.id, token, retryAt(refund.failures + 1))
        .catch((e: unknown) => log.warn({ err: e, refundId: refund.id }, 'release failed'))
    }
  }

  function retryAt(failures: number): Date {
    const ms = backoffDelayMs(failures, { baseMs: 1_000, capMs: 60_000, random: Math.random })
    return new Date(deps.now().getTime() + ms)
  }

  /** Claims due refunds and works on them together; resolves with how many. */
  async function processPending(): Promise<number> {
    const now = deps.now()
    const token = randomUUID()
    const claimed = await store.claimDue({
      now,
      until: new Date(now.getTime() + deps.leaseMs),
      token,
      limit: deps.batchSize ?? 20,
    })
    await Promise.all(claimed.map((refund) => work(refund, token)))
    return claimed.length
  }

  return { processPending }
}
