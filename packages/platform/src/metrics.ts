import { trace, TraceFlags, type Span } from '@opentelemetry/api'
import { Registry, collectDefaultMetrics, type Histogram } from 'prom-client'
import { isExportingTraces } from './tracing.js'

/**
 * One registry per service, labelled with its name, so several services in one process (the
 * embedded mode) each serve their own `/metrics` without clashing.
 *
 * While the process exports traces (trace-export.ts) the registry speaks OpenMetrics, the
 * format that carries exemplars: the latency histograms name, per bucket, the trace of a
 * request that fell in it (`withExemplars`, `observeWithTrace`), so a slow bucket on a
 * dashboard leads to a trace of it. Prometheus reads both formats (exemplars are kept with its
 * `--enable-feature=exemplar-storage`); without export the plain text format is served, as before.
 */
export function createMetricsRegistry(
  service: string,
  options: { processMetrics?: boolean; exemplars?: boolean } = {},
): Registry {
  const exemplars = options.exemplars ?? isExportingTraces()
  // Typed as the default (text) registry everywhere: the content type changes only how
  // `metrics()` formats, which callers serve with `registry.contentType`.
  const registry = new Registry()
  if (exemplars) {
    registry.setContentType(
      Registry.OPENMETRICS_CONTENT_TYPE as unknown as typeof Registry.PROMETHEUS_CONTENT_TYPE,
    )
  }
  registry.setDefaultLabels({ service })
  if (options.processMetrics ?? true) {
    // The event-loop lag histogram samples every 50 ms (prom-client's default is 10): each sample
    // wakes an idle process, and at 10 ms that was about half of an idle service's CPU (6 of
    // 10–17 ms a second; an idle platform 129 → 68 ms/s, docs/performance.md). A stall shorter
    // than 50 ms may go unseen by `nodejs_eventloop_lag_*`; the longer ones operators alert on
    // do not.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 })
  }
  return registry
}
export type { Registry }

/** Whether histograms on `registry` can keep exemplars (an OpenMetrics registry). */
export function withExemplars(registry: Registry): boolean {
  return (registry.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE
}

/** The trace id of `span` when it is sampled (an exemplar worth following), else undefined. */
export function sampledTraceId(span: Span | undefined): string | undefined {
  const spanContext = span?.spanContext()
  if (!spanContext || (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return undefined
  return spanContext.traceId
}

/** The active span's trace id when it is sampled: an exemplar for what is measured now. */
export function activeSampledTraceId(): string | undefined {
  return sampledTraceId(trace.getActiveSpan())
}

/**
 * Observes `value` under `labels` on a histogram made with `enableExemplars` when it has them
 * (`withExemplars`), the trace `traceId` (default: the active span's, when sampled) as the
 * bucket's exemplar; a plain observation otherwise.
 */
export function observeWithTrace<T extends string>(
  histogram: Histogram<T>,
  labels: Partial<Record<T, string | number>>,
  value: number,
  traceId: string | undefined = activeSampledTraceId(),
): void {
  if ((histogram as { enableExemplars?: boolean }).enableExemplars) {
    // prom-client types exemplar labels as the metric's own; they are free-form.
    const exemplarLabels = (traceId ? { trace_id: traceId } : {}) as typeof labels
    histogram.observe({ labels, value, exemplarLabels })
  } else {
    histogram.observe(labels, value)
  }
}
