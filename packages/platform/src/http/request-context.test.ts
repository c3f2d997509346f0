import { trace } from '@opentelemetry/api'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createMetricsRegistry } from '../metrics.js'
import { currentTraceparent } from '../tracing.js'
import { createHttpServer, type HttpServerOptions } from './server.js'

const clientTrace = '0af7651916cd43dd8448eb211c80319c'
const clientSpan = 'b7ad6b7169203331'
const traceparent = `00-${clientTrace}-${clientSpan}-01`

function build(options: Partial<HttpServerOptions>) {
  const lines: Array<Record<string, unknown>> = []
  // The platform logger's mixin: the active span's ids on every line.
  const mixin = () => {
    const context = trace.getActiveSpan()?.spanContext()
    return context ? { traceId: context.traceId, spanId: context.spanId } : {}
  }
  const write = (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>)
  const log = pino({ level: 'info', mixin }, { write })
  const server = createHttpServer({
    service: 'ctx',
    log,
    registry: createMetricsRegistry('ctx', { processMetrics: false }),
    routes: async (app) => {
      app.get('/trace', async (request) => {
        request.log.info('handled')
        return { traceparent: currentTraceparent() }
      })
    },
    ...options,
  })
  return { server, lines }
}

describe('the access log', () => {
  it('logs one line per request, at info when asked (the edge)', async () => {
    const { server, lines } = build({ accessLog: 'info' })
    await server.inject({ url: '/trace' })
    const completed = lines.filter((line) => line.msg === 'request completed')
    expect(completed).toHaveLength(1)
    expect(completed[0]).toMatchObject({ method: 'GET', url: '/trace', statusCode: 200 })
    expect(lines.filter((line) => line.msg === 'incoming request')).toHaveLength(0)
  })

  it('logs nothing per request at info by default (services behind the edge)', async () => {
    const { server, lines } = build({})
    await server.inject({ url: '/trace' })
    expect(lines.map((line) => line.msg)).toEqual(['handled'])
  })
})

describe('incoming trace context', () => {
  it('continues the caller’s trace by default (services behind the gateway)', async () => {
    const { server } = build({})
    const res = await server.inject({ url: '/trace', headers: { traceparent } })
    expect(res.json<{ traceparent: string }>().traceparent.split('-')[1]).toBe(clientTrace)
  })

  it('links the caller’s trace from a new one at the edge, and logs the link', async () => {
    const { server, lines } = build({ incomingTrace: 'link', accessLog: 'info' })
    const res = await server.inject({ url: '/trace', headers: { traceparent } })
    const ours = res.json<{ traceparent: string }>().traceparent.split('-')[1]
    expect(ours).toMatch(/^[0-9a-f]{32}$/)
    expect(ours).not.toBe(clientTrace)
    const handled = lines.find((line) => line.msg === 'handled')
    expect(handled).toMatchObject({
      traceId: ours,
      linkedTraceId: clientTrace,
      linkedSpanId: clientSpan,
    })
    const completed = lines.find((line) => line.msg === 'request completed')
    expect(completed).toMatchObject({ linkedTraceId: clientTrace })
    // Nothing in the logs carries the client's id as our trace id.
    expect(lines.some((line) => line.traceId === clientTrace)).toBe(false)
  })
})
