import { trace } from '@opentelemetry/api'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { Histogram } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createMetricsRegistry, observeWithTrace, withExemplars } from './metrics.js'
import { setupTracing } from './tracing.js'

describe('latency exemplars', () => {
  const histogram = (exemplars: boolean) => {
    const registry = createMetricsRegistry('test', { processMetrics: false, exemplars })
    const h = new Histogram({
      name: 'test_duration_seconds',
      help: 'test',
      labelNames: ['route'],
      buckets: [0.1, 1],
      registers: [registry],
      enableExemplars: withExemplars(registry),
    })
    return { registry, h }
  }

  it('an OpenMetrics registry names the active sampled trace as the bucket exemplar', async () => {
    // As a process that exports its spans (exemplars are kept only then): spans are recorded.
    setupTracing({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] })
    const { registry, h } = histogram(true)
    expect(registry.contentType).toMatch(/^application\/openmetrics-text/)
    const span = trace.getTracer('test').startSpan('work')
    trace.getTracer('test').startActiveSpan('work', (active) => {
      observeWithTrace(h, { route: '/x' }, 0.05)
      active.end()
    })
    // An explicit trace id wins over the active span's.
    observeWithTrace(h, { route: '/y' }, 0.5, span.spanContext().traceId)
    span.end()
    const text = await registry.metrics()
    expect(text).toMatch(
      /test_duration_seconds_bucket\{le="0.1",service="test",route="\/x"\} 1 # \{trace_id="[0-9a-f]{32}"\} 0.05/,
    )
    expect(text).toContain(`# {trace_id="${span.spanContext().traceId}"} 0.5`)
    expect(text.trimEnd().endsWith('# EOF')).toBe(true)
  })

  it('outside a span, or on a plain registry, the observation has no exemplar', async () => {
    const open = histogram(true)
    observeWithTrace(open.h, { route: '/x' }, 0.05)
    expect(await open.registry.metrics()).not.toContain('trace_id')
    const plain = histogram(false)
    expect(plain.registry.contentType).toMatch(/^text\/plain/)
    trace.getTracer('test').startActiveSpan('work', (active) => {
      observeWithTrace(plain.h, { route: '/x' }, 0.05)
      active.end()
    })
    const text = await plain.registry.metrics()
    expect(text).toContain('test_duration_seconds_bucket{le="0.1",service="test",route="/x"} 1')
    expect(text).not.toContain('trace_id')
  })
})
