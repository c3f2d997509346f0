import type { webhooks } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform/app'
import type { AttemptOutcome } from '../domain/retry-schedule.js'

/** An endpoint as stored, its secrets included (never shown but at creation and rotation). */
export interface StoredEndpoint {
  id: string
  url: string
  eventTypes: webhooks.WebhookEventType[]
  description: string | null
  status: webhooks.EndpointStatus
  disabledReason: string | null
  createdBy: string
  secret: string
  previousSecret: string | null
  previousSecretExpiresAt: Date | null
  secretRotatedAt: Date | null
  failingSince: Date | null
  createdAt: Date
  updatedAt: Date
}

/** The endpoints of the back office. */
export interface EndpointStore {
  create(endpoint: StoredEndpoint): Promise<void>
  get(id: string): Promise<StoredEndpoint | undefined>
  /** Newest first, after the cursor's row; `limit + 1` rows to tell whether more follow. */
  list(page: { limit: number; after?: { at: Date; id: string } }): Promise<StoredEndpoint[]>
  /** Applies `change` to the endpoint under its row lock; undefined when there is none. */
  update(
    id: string,
    change: (current: StoredEndpoint) => StoredEndpoint,
  ): Promise<StoredEndpoint | undefined>
  /** Deletes it and its deliveries; false when there was none. */
  delete(id: string): Promise<boolean>
}

/** A new delivery of one event to one endpoint. */
export interface NewDelivery {
  id: string
  endpointId: string
  eventId: string
  type: webhooks.WebhookEventType
  /** The exact JSON body: `{type, timestamp, data}`. */
  body: string
  at: Date
}

/** What the consumers do in the inbox's transaction: one delivery per matching endpoint. */
export interface DeliveryFanOut {
  /** Stores a delivery for every enabled endpoint subscribed to `type`; a repeat stores none. */
  store(event: {
    eventId: string
    type: webhooks.WebhookEventType
    body: string
    at: Date
  }): Promise<number>
}

/** The fan-out bound to a consumer's transaction (service.ts makes it). */
export type FanOutIn = (trx: HandlerContext['trx']) => DeliveryFanOut

export interface StoredDelivery {
  id: string
  endpointId: string
  eventId: string
  type: webhooks.WebhookEventType
  body: string
  status: webhooks.DeliveryStatus
  attempts: number
  nextAttemptAt: Date
  lastResponseStatus: number | null
  lastError: string | null
  createdAt: Date
  updatedAt: Date
}

export interface AttemptRecord {
  startedAt: Date
  durationMs: number
  responseStatus?: number
  error?: string
  responseBody?: string
}

/** The delivery log and replays of the back office. */
export interface DeliveryStore {
  add(delivery: NewDelivery): Promise<void>
  get(id: string): Promise<StoredDelivery | undefined>
  attemptsOf(id: string): Promise<AttemptRecord[]>
  list(query: {
    endpointId: string
    status?: webhooks.DeliveryStatus
    limit: number
    after?: { at: Date; id: string }
  }): Promise<StoredDelivery[]>
  /** Starts a new attempt series now, keeping its event id; false when there is none. */
  replay(id: string, at: Date): Promise<boolean>
  /** How many deliveries of the endpoint were created in [from, to). */
  countInRange(endpointId: string, from: Date, to: Date): Promise<number>
  /** Replays every delivery of the endpoint created in [from, to); returns how many. */
  replayRange(endpointId: string, from: Date, to: Date, at: Date): Promise<number>
}

/** A delivery claimed by a dispatcher, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string
  endpointId: string
  eventId: string
  body: string
  /** This attempt's number in its series (1 for the first). */
  attempt: number
  series: number
  url: string
  /** The current secret, then the previous one while it has not expired. */
  secrets: string[]
}

/** The outcome of an attempt, as the dispatcher records it. */
export type AttemptResult = { kind: 'delivered' } | { kind: 'retry'; at: Date } | { kind: 'failed' }

/** The dispatcher's queue over the shared tables; every write is fenced by the lease. */
export interface DispatchQueue {
  /**
   * Claims up to `limit` due deliveries of enabled endpoints whose breaker is closed, and for
   * each endpoint whose breaker's wait is over, one (the half-open probe, which holds the
   * breaker open until `probeUntil`). Claimed rows are leased to `owner` until `leaseUntil`.
   */
  claim(options: {
    now: Date
    owner: string
    leaseUntil: Date
    limit: number
    breakerFailures: number
    probeUntil: Date
  }): Promise<ClaimedDelivery[]>
  /**
   * Records an attempt and its consequence in one transaction: the attempt's row, the delivery's
   * state (only while `owner` holds its lease), and the endpoint's breaker (a success closes it,
   * a failure counts; `breakerFailures` in a row open it until `openUntil`). An endpoint failing
   * since before `disableBefore` is disabled and `webhook.endpoint-disabled` written.
   */
  record(options: {
    delivery: ClaimedDelivery
    owner: string
    attempt: AttemptRecord
    result: AttemptResult
    now: Date
    breakerFailures: number
    openUntil: Date
    disableBefore: Date
  }): Promise<void>
}

/** Sends one signed delivery; never throws for a network problem (it is an outcome). */
export interface WebhookSender {
  send(request: {
    url: string
    webhookId: string
    body: string
    secrets: string[]
    at: Date
  }): Promise<{ outcome: AttemptOutcome; durationMs: number; responseBody?: string }>
}
