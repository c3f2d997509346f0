import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProcess, waitForOk, type Started } from './process.js'
import { cards, ShopClient } from './shop-client.js'

/** A span as OTLP/JSON carries it, with its resource's `service.name`. */
interface ReceivedSpan {
  service: string
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: Record<string, unknown>
}

// OTLP's SpanKind numbers.
const SERVER = 2
const CONSUMER = 5

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
            spans?: Array<
              Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes?: KeyValue[] }
            >
          }>
        }>
      }
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'])
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({ ...span, service, attributes: attributesOf(span.attributes) })
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
  const port = 28000 + Math.floor(Math.random() * 400) * 8
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-tracing-'))
  const receiver = startReceiver()
  let started: Started
  let client: ShopClient

  beforeAll(async () => {
    const endpoint = await receiver.ready
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
    await waitForOk(`http://127.0.0.1:${port + 7}/readyz`, started, 150_000)
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
      const placement = receiver.spans.find(
        (s) =>
          s.service === 'gateway' &&
          s.kind === SERVER &&
          s.attributes['http.request.method'] === 'POST' &&
          String(s.attributes['http.route']).endsWith('/orders'),
      )
      traceId = placement?.traceId
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
