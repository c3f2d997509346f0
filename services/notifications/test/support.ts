import { randomUUID } from 'node:crypto'
import type { EventDefinition, EventEnvelope } from '@emporium/contracts'
import {
  createInProcessBus,
  createLogger,
  startService,
  type DatabaseKind,
  type EventBus,
  type JwtVerifier,
} from '@emporium/platform'
import {
  createTestDatabase,
  createTestTokens as createSharedTokens,
} from '@emporium/platform/testing'
import { Agent, fetch as undiciFetch, type RequestInit } from 'undici'
import {
  createNotificationsService,
  loadNotificationsConfig,
  type OutgoingMessage,
  type Sender,
} from '../src/service.js'

/** The platform's test tokens, as these suites call them: `token(userId, roles)`. */
export function createTestTokens(): {
  verifier: JwtVerifier
  token(userId: string, roles?: string[]): string
} {
  const shared = createSharedTokens()
  return { verifier: shared.verifier, token: (sub, roles) => shared.sign({ sub, roles }) }
}

const producers: Record<string, string> = { order: 'orders', payment: 'payments', user: 'users' }

/** An envelope as the producer's outbox would write it. */
export function envelope<D>(
  definition: EventDefinition<string, D>,
  data: D,
  id: string = randomUUID(),
): EventEnvelope<D> {
  const aggregate = definition.type.split('.')[0]!
  return {
    id,
    type: definition.type,
    version: definition.version,
    occurredAt: new Date().toISOString(),
    source: producers[aggregate] ?? aggregate,
    correlationId: randomUUID(),
    causationId: null,
    data,
  }
}

/** Publishes like a producer's relay; resolves once the consumers had their first attempt. */
export async function publish<D>(
  bus: EventBus,
  definition: EventDefinition<string, D>,
  data: D,
  id?: string,
): Promise<EventEnvelope<D>> {
  const event = envelope(definition, data, id)
  await bus.publish(event)
  return event
}

const usd = (amount: number) => ({ amount, currency: 'USD' })
const lines = [{ productId: 'lamp', name: 'Desk lamp', unitPrice: usd(1999), quantity: 2 }]

/** The data of each order event of one order, as the orders service publishes them. */
export function orderEvents(orderId: string, userId: string) {
  const at = () => new Date().toISOString()
  return {
    placed: () => ({ orderId, userId, lines, total: usd(3998), at: at() }),
    paymentRequested: () => ({
      orderId,
      userId,
      amount: usd(3998),
      paymentMethodId: 'pm-1',
      at: at(),
    }),
    confirmed: () => ({ orderId, userId, lines, total: usd(3998), at: at() }),
    cancelled: (
      reason: string,
      previousStatus: 'pending' | 'awaiting_payment' | 'confirmed' = 'awaiting_payment',
    ) => ({ orderId, userId, previousStatus, reason, lines, total: usd(3998), at: at() }),
    shipped: () => ({ orderId, userId, at: at() }),
    refunded: () => ({
      paymentId: `pay-${orderId}`,
      orderId,
      userId,
      amount: usd(3998),
      last4: '4242',
      at: at(),
    }),
  }
}

/** A sender that records what it sent, and fails while `failing` says so. */
export function recordingSender() {
  const sent: OutgoingMessage[] = []
  /** `failing`: every send fails; `failingTo`: the sends to that address fail. */
  const state = { failing: false, failingTo: undefined as string | undefined, attempts: 0 }
  const sender: Sender = {
    async send(message) {
      state.attempts++
      if (state.failing || message.to === state.failingTo) {
        throw new Error('smtp: 451 try again later')
      }
      sent.push(message)
    },
  }
  return { sender, sent, state }
}

/**
 * An HTTP client with its own connection pool, which `close()` destroys: Node's `server.close()`
 * never closes a connection that has not sent a request yet, and undici may hold such a spare
 * one, so a test that stops the server must first drop its client's connections.
 */
export function httpClient() {
  const agent = new Agent()
  return {
    fetch: (url: string, init: RequestInit = {}) =>
      undiciFetch(url, { ...init, dispatcher: agent }),
    close: () => agent.destroy(),
  }
}
export type HttpClient = ReturnType<typeof httpClient>

export interface Frame {
  event?: string
  id?: string
  data?: string
  retry?: string
  comment?: string
}

/** A server-sent event stream read through fetch, frame by frame. */
export async function openStream(
  client: HttpClient,
  url: string,
  headers: Record<string, string>,
): Promise<{
  status: number
  headers: Awaited<ReturnType<HttpClient['fetch']>>['headers']
  text: () => Promise<string>
  /** The next frame, or undefined once the stream ended; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Frame | undefined>
  /** Frames until the end of the stream. */
  rest(timeoutMs?: number): Promise<Frame[]>
  close(): void
}> {
  const controller = new AbortController()
  const response = await client.fetch(url, { headers, signal: controller.signal })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let done = false
  const queue: Frame[] = []

  function parse(block: string): Frame {
    const frame: Frame = {}
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) frame.comment = line.slice(1).trim()
      else {
        const colon = line.indexOf(':')
        const key = line.slice(0, colon) as keyof Frame
        frame[key] = line.slice(colon + 1).replace(/^ /, '')
      }
    }
    return frame
  }

  async function next(timeoutMs = 5_000): Promise<Frame | undefined> {
    const deadline = Date.now() + timeoutMs
    while (queue.length === 0 && !done) {
      let timer: NodeJS.Timeout | undefined
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('no frame in time')),
            Math.max(0, deadline - Date.now()),
          )
        }),
      ]).finally(() => clearTimeout(timer))
      if (chunk.done) done = true
      else buffer += decoder.decode(chunk.value, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        queue.push(parse(buffer.slice(0, end)))
        buffer = buffer.slice(end + 2)
      }
    }
    return queue.shift()
  }

  return {
    status: response.status,
    headers: response.headers,
    text: async () => {
      const chunks: string[] = []
      for (;;) {
        const { done: finished, value } = await reader.read()
        if (finished) return chunks.join('')
        chunks.push(decoder.decode(value, { stream: true }))
      }
    },
    next,
    async rest(timeoutMs = 5_000) {
      const frames: Frame[] = []
      for (let frame = await next(timeoutMs); frame; frame = await next(timeoutMs))
        frames.push(frame)
      return frames
    },
    close: () => controller.abort(),
  }
}

/** Status events only (no retry line, no heartbeats), their data parsed. */
export function statuses(
  frames: Frame[],
): Array<{ id: number; status: string } & Record<string, unknown>> {
  return frames
    .filter((f) => f.event === 'status')
    .map((f) => ({ id: Number(f.id), ...(JSON.parse(f.data!) as { status: string }) }))
}

/**
 * The notifications service as the runtime starts it (migrations, inbox, the in-process bus, a
 * real HTTP server) on a fresh database of `kind`, sending through a recording sender: its
 * dispatcher every `dispatchIntervalMs` (0: none, the tests call `dispatchPending`). `stop()`
 * ends it and drops the database.
 */
export async function startNotifications(
  kind: DatabaseKind,
  options: { dispatchIntervalMs: number; env?: Record<string, string> },
) {
  const log = createLogger({ service: 'notifications', level: 'silent' })
  const bus = createInProcessBus({ retry: { delaysMs: [10, 10] }, log })
  const { sender, sent } = recordingSender()
  const testDb = await createTestDatabase(kind)
  const config = loadNotificationsConfig({
    NOTIFICATIONS_DATABASE_URL: testDb.url,
    NOTIFICATIONS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    LOG_LEVEL: 'silent',
    ...options.env,
  })
  const service = await createNotificationsService(config, {
    log,
    database: testDb.database,
    verifier: createTestTokens().verifier,
    sender,
    dispatchIntervalMs: options.dispatchIntervalMs,
  })
  const running = await startService(service, { port: 0, log, bus })
  return {
    bus,
    sent,
    service,
    testDb,
    async stop() {
      await running.stopHttp()
      await bus.close()
      await running.close()
      await testDb.drop()
    },
  }
}
