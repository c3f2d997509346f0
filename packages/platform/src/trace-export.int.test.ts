import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { ROOT_CONTEXT, context } from '@opentelemetry/api'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogger } from './log.js'
import { closedPort } from './testing/closed-port.js'
import { startService } from './runtime.js'
import { startTraceExport, traceExportUrl } from './trace-export.js'
import { flushTracing, inService, withSpan } from './tracing.js'

/** A logger whose JSON lines are kept. */
function capturedLog() {
  const lines: Array<Record<string, unknown>> = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  return { log: createLogger({ level: 'info', format: 'json', destination }), lines }
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  )

/** A collector that refuses every connection. */
async function refusingEndpoint(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`
}

const spanIn = (service: string, name: string) =>
  context.with(inService(ROOT_CONTEXT, service), () => withSpan(name, {}, () => undefined))

describe('traceExportUrl', () => {
  it('is off unless an endpoint is set, and off with OTEL_TRACES_EXPORTER=none', () => {
    expect(traceExportUrl({})).toBeUndefined()
    expect(traceExportUrl({ OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined()
    expect(
      traceExportUrl({
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      }),
    ).toBeUndefined()
  })

  it('appends /v1/traces to the endpoint and takes the traces endpoint as given', () => {
    expect(traceExportUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe(
      'http://c:4318/v1/traces',
    )
    expect(
      traceExportUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9999/traces',
      }),
    ).toBe('http://t:9999/traces')
  })
})

// One tracer provider per process (as in production): the two exports below add to it in turn.
describe('startTraceExport', () => {
  const servers: Server[] = []
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  })

  it('keeps the process healthy when the collector refuses: spans dropped, one warning', async () => {
    const { log, lines } = capturedLog()
    const endpoint = await refusingEndpoint()
    // Read by the exporter itself: its retries of a refused connection give up within 1 s.
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = '1000'
    expect(startTraceExport({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, { log })).toBe(true)
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT
    const running = await startService({ name: 'probe' }, { port: 0, log })
    try {
      for (let round = 0; round < 3; round++) {
        await spanIn('probe', `work ${round}`)
        const health = await fetch(`${running.url}/healthz`)
        expect(health.status).toBe(200)
        // The exporter retries a refused connection (with backoff, within its 10 s timeout); a
        // drain waits for it no longer than it is told to.
        const began = Date.now()
        await flushTracing(1_000)
        expect(Date.now() - began).toBeLessThan(2_500)
      }
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200)
    } finally {
      await running.stopHttp()
    }
    // Three failed exports (one a round), one warning.
    const warned = () => lines.filter((l) => String(l.msg).startsWith('trace export failed')).length
    await expect.poll(warned, { timeout: 10_000 }).toBe(1)
    await new Promise((r) => setTimeout(r, 3_000))
    expect(warned()).toBe(1)
  })

  it('gives each service its own resource service.name (the embedded mode)', async () => {
    const bodies: Array<{ resourceSpans: Array<Record<string, any>> }> = []
    const server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        if (request.url === '/v1/traces') bodies.push(JSON.parse(body))
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    servers.push(server)
    const endpoint = await listen(server)
    const { log } = capturedLog()
    startTraceExport(
      { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      { log },
    )
    await spanIn('orders', 'place')
    await spanIn('catalog', 'reserve')
    await withSpan('outside any service', {}, () => undefined)
    // The first export above still retries its refusing collector: wait for what this one got.
    await flushTracing(200)
    await expect
      .poll(() => bodies.flatMap((b) => b.resourceSpans).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3)
    const byService = new Map<string, string[]>()
    for (const resourceSpans of bodies.flatMap((b) => b.resourceSpans)) {
      const name = resourceSpans.resource.attributes.find(
        (a: { key: string }) => a.key === 'service.name',
      ).value.stringValue as string
      const spans = resourceSpans.scopeSpans.flatMap((s: { spans: Array<{ name: string }> }) =>
        s.spans.map((span) => span.name),
      )
      byService.set(name, [...(byService.get(name) ?? []), ...spans])
    }
    expect(byService.get('orders')).toEqual(['place'])
    expect(byService.get('catalog')).toEqual(['reserve'])
    expect(byService.get('emporium')).toEqual(['outside any service'])
  })
})
