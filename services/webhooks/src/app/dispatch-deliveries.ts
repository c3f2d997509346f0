import { randomUUID } from 'node:crypto'
import type { Logger } from '@emporium/platform/app'
import { nextStep } from '../domain/retry-schedule.js'
import type { AttemptResult, ClaimedDelivery, DispatchQueue, WebhookSender } from './ports.js'

export interface DispatchDeps {
  queue: DispatchQueue
  sender: WebhookSender
  now: () => Date
  log: Logger
  /** How long a claimed delivery stays hidden from other dispatchers (longer than an attempt). */
  leaseMs: number
  /** Delays before each retry; one attempt more than delays. */
  retryDelaysMs: readonly number[]
  /** ± fraction of each delay drawn at random. */
  jitter: number
  /** Consecutive failures that open an endpoint's breaker, and how long it stays open. */
  breakerFailures: number
  breakerCooldownMs: number
  /** An endpoint failing continuously this long is disabled. */
  disableAfterMs: number
  batchSize: number
  /** This dispatcher's name on its leases (default: a new UUID). */
  owner?: string
}

/**
 * Sends the deliveries that are due and records each attempt; resolves to how many were
 * delivered. At-least-once: a delivery is marked delivered only after its endpoint answered 2xx,
 * so a dispatcher that dies mid-delivery leaves it leased, and it is sent again (same
 * `webhook-id`) once the lease ends. Every outcome is written only while this dispatcher still
 * holds the lease, so a slow attempt whose lease ran out cannot undo another's.
 */
export function createDispatchDue(deps: DispatchDeps): () => Promise<number> {
  const owner = deps.owner ?? randomUUID()
  let running: Promise<number> | undefined

  async function attempt(delivery: ClaimedDelivery): Promise<boolean> {
    const startedAt = deps.now()
    const sent = await deps.sender.send({
      url: delivery.url,
      webhookId: delivery.eventId,
      body: delivery.body,
      secrets: delivery.secrets,
      at: startedAt,
    })
    const step = nextStep(sent.outcome, delivery.attempt, {
      delaysMs: deps.retryDelaysMs,
      jitter: deps.jitter,
    })
    const now = deps.now()
    const result: AttemptResult =
      step.kind === 'retry'
        ? { kind: 'retry', at: new Date(now.getTime() + step.delayMs) }
        : { kind: step.kind }
    const { outcome } = sent
    await deps.queue.record({
      delivery,
      owner,
      attempt: {
        startedAt,
        durationMs: sent.durationMs,
        ...(outcome.kind === 'answered'
          ? { responseStatus: outcome.status }
          : { error: outcome.error.slice(0, 500) }),
        ...(sent.responseBody === undefined ? {} : { responseBody: sent.responseBody }),
      },
      result,
      now,
      breakerFailures: deps.breakerFailures,
      openUntil: new Date(now.getTime() + deps.breakerCooldownMs),
      disableBefore: new Date(now.getTime() - deps.disableAfterMs),
    })
    const fields = {
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      attempt: delivery.attempt,
      ...(outcome.kind === 'answered' ? { status: outcome.status } : { error: outcome.error }),
    }
    if (step.kind === 'retry')
      deps.log.info({ ...fields, retryInMs: step.delayMs }, 'webhook not delivered')
    if (step.kind === 'failed') deps.log.warn({ ...fields, reason: step.reason }, 'webhook failed')
    return step.kind === 'delivered'
  }

  async function run(): Promise<number> {
    let delivered = 0
    for (;;) {
      const now = deps.now()
      const claimed = await deps.queue.claim({
        now,
        owner,
        leaseUntil: new Date(now.getTime() + deps.leaseMs),
        limit: deps.batchSize,
        breakerFailures: deps.breakerFailures,
        probeUntil: new Date(now.getTime() + deps.breakerCooldownMs),
      })
      if (claimed.length === 0) break
      // At once: every attempt of the batch ends (or times out) well within its lease.
      const outcomes = await Promise.allSettled(claimed.map(attempt))
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') {
          if (outcome.value) delivered += 1
        } else {
          // Not recorded: the delivery comes due again when its lease ends.
          deps.log.warn({ err: outcome.reason, deliveryId: claimed[i]!.id }, 'attempt not saved')
        }
      })
      if (claimed.length < deps.batchSize) break
    }
    return delivered
  }

  return () => {
    running ??= run().finally(() => {
      running = undefined
    })
    return running
  }
}
