import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDistributedPlatform, type DistributedPlatform } from './distributed.js'
import {
  reserveEmbeddedPorts,
  type Started,
  startProcess,
  waitForOk,
  embeddedManagementPort,
} from './process.js'
import { fillDataDir } from './embedded-data.js'
import { cards, ShopClient } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

/** A span as OTLP/JSON carries it, with its resource's `service.name`. */
interface ReceivedSpan {
  service: string
  /** The instrumentation scope: `emporium-http`, `@opentelemetry/instrumentation-pg`, … */
  scope: string
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: Record<string, unknown>
}

// OTLP's SpanKind numbers.
const SERVER = 2
const CLIENT = 3
const PRODUCER = 4
const CONSUMER = 5

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The trace of the gateway's server span for the placement (POST …/orders), if received. */
function placementTrace(spans: ReceivedSpan[]): string | undefined {
  return spans.find(
    (s) =>
      s.service === 'gateway' &&
      s.kind === SERVER &&
      s.scope === 'emporium-http' &&
      s.attributes['http.request.method'] === 'POST' &&
      String(s.attributes['http.route']).endsWith('/orders'),
  )?.traceId
}

/** Spans of `trace` whose parent is not in it (the root has none and is not one). */
function orphansOf(inTrace: ReceivedSpan[]): string[] {
  const ids = new Set(inTrace.map((s) => s.spanId))
  return inTrace
    .filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))
    .map((s) => `${s.service} ${s.scope} ${s.name}`)
}

/** Waits until `done(spans)` holds, or fails listing what was received. */
async function waitForSpans(
  spans: ReceivedSpan[],
  done: (spans: ReceivedSpan[]) => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done(spans)) {
    if (Date.now() > deadline) {
      const seen = spans.map((s) => `${s.service} ${s.kind} ${s.scope} ${s.name} ${s.traceId}`)
      throw new Error(`spans incomplete; received:\n${seen.join('\n')}`)
    }
    await sleep(250)
  }
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean }
type KeyValue = { key: string; value: AnyValue }

function valueOf(value: AnyValue): unknown {
  return value.stringValue ?? value.intValue ?? value.boolValue
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]))
}

/**
 * A collector of our own: accepts OTLP/HTTP JSON on POST /v1/traces and keeps every span. What
 * it proves is what a real collector would get: the process exports on its own.
 */
function startReceiver(): { server: Server; spans: ReceivedSpan[]; ready: Promise<string> } {
  const spans: ReceivedSpan[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end()
        return
      }
      let body = Buffer.concat(chunks)
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
      const payload = JSON.parse(body.toString('utf8')) as {
        resourceSpans?: Array<{
          resource?: { attributes?: KeyValue[] }
          scopeSpans?: Array<{
            scope?: { name?: string }
            spans?: Array<
              Omit<ReceivedSpan, 'service' | 'scope' | 'attributes'> & {
                attributes?: KeyValue[]
              }
            >
          }>
        }>
      }
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'])
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              ...span,
              service,
              scope: scope.scope?.name ?? '',
              attributes: attributesOf(span.attributes),
            })
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  const ready = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  )
  return { server, spans, ready }
}

// Issue 16: a checkout is one trace from the gateway through orders, over the in-process bus's
// events, to catalog and payments, and it leaves the process: the embedded platform (`npm
// start`: the gateway on a thread of its own, the services on the main one) exports it over
// OTLP/HTTP to an endpoint this test runs, each service's spans under its own `service.name`.
describe('traces leave the process (embedded platform, OTLP/HTTP)', () => {
  const port = embeddedPorts
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-tracing-'))
  const receiver = startReceiver()
  let started: Started
  let client: ShopClient

  beforeAll(async () => {
    const endpoint = await receiver.ready
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(port + 1),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Batches every 200 ms instead of 5 s, so the test waits for the platform, not the timer.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      ORDERS_UPSTREAM_TIMEOUT_MS: '20000',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '30000',
    })
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(port + 1)}/readyz`, started, 150_000)
    client = new ShopClient(`http://127.0.0.1:${port}/api/v1`)
  }, 180_000)

  afterAll(async () => {
    if (started?.child.exitCode === null) started.child.kill('SIGKILL')
    await new Promise((resolve) => receiver.server.close(resolve))
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('a checkout is one trace across gateway, orders, catalog and payments, events included', async () => {
    const products = await client.call<{ items: Array<{ id: string; available: number }> }>(
      '/products',
    )
    const product = products.body.items.find((p) => p.available > 0)
    expect(product, 'a demo product in stock').toBeDefined()
    const shopper = await client.register()
    await client.addToCart(shopper.token, product!.id, 1)
    const placed = await client.placeOrder(shopper.token, cards.approved)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const order = await client.waitForOrder(shopper.token, placed.body.id)
    expect(order.status).toBe('confirmed')

    // The gateway's server span of the placement starts the trace (it links, never continues,
    // what a client sends).
    const wanted = ['gateway', 'orders', 'catalog', 'payments']
    let traceId: string | undefined
    let inTrace: ReceivedSpan[] = []
    const deadline = Date.now() + 60_000
    for (;;) {
      traceId = placementTrace(receiver.spans)
      inTrace = receiver.spans.filter((s) => s.traceId === traceId)
      const services = new Set(inTrace.map((s) => s.service))
      const consumed = new Set(inTrace.filter((s) => s.kind === CONSUMER).map((s) => s.service))
      if (
        wanted.every((s) => services.has(s)) &&
        consumed.has('catalog') &&
        consumed.has('payments')
      )
        break
      if (Date.now() > deadline) {
        const seen = receiver.spans.map((s) => `${s.service} ${s.kind} ${s.name} ${s.traceId}`)
        throw new Error(`trace ${traceId} incomplete; received:\n${seen.join('\n')}`)
      }
      await new Promise((r) => setTimeout(r, 250))
    }

    // One trace: every span but the gateway's server span has its parent in the trace too.
    const ids = new Set(inTrace.map((s) => s.spanId))
    const orphans = inTrace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))
    expect(orphans.map((s) => `${s.service} ${s.name}`)).toEqual([])
    // The event hop: catalog consumed order.placed and payments order.payment-requested in it.
    const consumers = inTrace
      .filter((s) => s.kind === CONSUMER)
      .map((s) => `${s.service} ${s.name}`)
    expect(consumers).toEqual(
      expect.arrayContaining([
        'catalog consume order.placed',
        'payments consume order.payment-requested',
      ]),
    )
    // Each span names its service in the embedded mode's one provider as well.
    for (const span of inTrace) {
      if (span.attributes['service.name'] !== undefined) {
        expect(span.attributes['service.name']).toBe(span.service)
      }
    }
  }, 150_000)
})

// Issue 16: the libraries' own spans (OpenTelemetry's instrumentations, enabled by each
// `main.ts` before the service loads) and exemplars, in the distributed mode, where the
// libraries are really used: PostgreSQL through pg, MariaDB through mysql2, Redis through
// ioredis, RabbitMQ through amqplib, service-to-service HTTP through undici.
describe('library spans and exemplars (distributed: PostgreSQL, MariaDB, Redis, RabbitMQ)', () => {
  const receiver = startReceiver()
  let running: DistributedPlatform
  let client: ShopClient
  let traceId: string | undefined

  beforeAll(async () => {
    const endpoint = await receiver.ready
    running = await startDistributedPlatform(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      {
        serviceEnv: {
          // One Redis script per request (issue 20's batched settling off), so the placement's
          // own trace holds the gateway's Redis span rather than a timer's flush.
          gateway: { GATEWAY_UPSTREAM_TIMEOUT_MS: '30000', GATEWAY_RATE_LIMIT_SYNC_MS: '0' },
          orders: { ORDERS_UPSTREAM_TIMEOUT_MS: '20000' },
        },
      },
    )
    client = new ShopClient(running.api)
  }, 240_000)

  afterAll(async () => {
    await running?.stop()
    await new Promise((resolve) => receiver.server.close(resolve))
  }, 60_000)

  it('a checkout is one trace holding the database, broker, Redis and HTTP client spans', async () => {
    const products = await client.call<{ items: Array<{ id: string; available: number }> }>(
      '/products',
    )
    const product = products.body.items.find((p) => p.available > 0)
    expect(product, 'a demo product in stock').toBeDefined()
    const shopper = await client.register()
    await client.addToCart(shopper.token, product!.id, 1)
    const placed = await client.placeOrder(shopper.token, cards.approved)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    expect((await client.waitForOrder(shopper.token, placed.body.id)).status).toBe('confirmed')

    const scopeOf = (library: string) => `@opentelemetry/instrumentation-${library}`
    const has = (inTrace: ReceivedSpan[], service: string, scope: string, kind?: number) =>
      inTrace.some((s) => s.service === service && s.scope === scope && (!kind || s.kind === kind))
    const inTraceOf = () => receiver.spans.filter((s) => s.traceId === traceId)
    await waitForSpans(receiver.spans, () => {
      traceId = placementTrace(receiver.spans)
      const inTrace = inTraceOf()
      return (
        has(inTrace, 'catalog', 'emporium', CONSUMER) &&
        has(inTrace, 'payments', 'emporium', CONSUMER) &&
        has(inTrace, 'catalog', scopeOf('pg')) &&
        has(inTrace, 'payments', scopeOf('pg')) &&
        has(inTrace, 'orders', scopeOf('amqplib'), PRODUCER) &&
        // A parent span ends, and is exported, after its children: a consumer's queries
        // can arrive a moment before the consumer's own span (one that never comes fails).
        orphansOf(inTrace).length === 0
      )
    })
    const inTrace = inTraceOf()
    // The placement's hops, each with its library's spans: the gateway's rate limit in Redis
    // and its call to orders over undici; orders' fastify handler, its queries and the relay's
    // publish of order.placed, which RabbitMQ delivers to catalog (amqplib's consume span).
    expect(has(inTrace, 'gateway', scopeOf('ioredis'))).toBe(true)
    expect(has(inTrace, 'gateway', scopeOf('undici'), CLIENT)).toBe(true)
    expect(has(inTrace, 'orders', '@fastify/otel')).toBe(true)
    expect(has(inTrace, 'orders', scopeOf('pg'), CLIENT)).toBe(true)
    expect(has(inTrace, 'catalog', scopeOf('amqplib'), CONSUMER)).toBe(true)
    // One trace: every span's parent was exported too (one traceparent per HTTP request, the
    // broker's publish inside the event's trace).
    expect(orphansOf(inTrace)).toEqual([])
    // One server span per request: fastify's own request span sits under the platform's.
    const fastifyRequests = inTrace.filter((s) => s.scope === '@fastify/otel' && s.kind === SERVER)
    expect(fastifyRequests.map((s) => `${s.service} ${s.name}`)).toEqual([])

    // The shopper's registration went to MariaDB (users, mysql2), the cart to Redis (ioredis).
    expect(receiver.spans.some((s) => s.service === 'users' && s.scope === scopeOf('mysql2'))).toBe(
      true,
    )
    expect(receiver.spans.some((s) => s.service === 'cart' && s.scope === scopeOf('ioredis'))).toBe(
      true,
    )
    // The outbox relays' and the periodic jobs' polls are untraced: no database span starts a
    // trace of its own.
    const rootQueries = receiver.spans.filter(
      (s) => !s.parentSpanId && [scopeOf('pg'), scopeOf('mysql2')].includes(s.scope),
    )
    expect(rootQueries.map((s) => `${s.service} ${s.name}`)).toEqual([])
  }, 150_000)

  it('the latency histograms carry the trace ids of requests as exemplars (OpenMetrics)', async () => {
    for (const url of [running.services.orders!.url, running.services.gateway!.managementUrl]) {
      const response = await fetch(`${url}/metrics`, {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^application\/openmetrics-text/)
      const text = await response.text()
      expect(text.trimEnd().endsWith('# EOF')).toBe(true)
      const exemplars = [
        ...text.matchAll(
          /^http_request_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="([0-9a-f]{32})"\}/gm,
        ),
      ].map((m) => m[1]!)
      expect(exemplars.length, `exemplars at ${url}`).toBeGreaterThan(0)
      // Each names a trace that was exported: a dashboard's slow bucket leads to a real trace.
      await waitForSpans(receiver.spans, (spans) =>
        exemplars.some((id) => spans.some((span) => span.traceId === id)),
      )
    }
  }, 120_000)
})
