import type { Attributes } from '@opentelemetry/api'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import type { Logger } from './log.js'
import { markExportingTraces, serviceNameAttribute, setupTracing } from './tracing.js'

type Resource = ReadableSpan['resource']

/** The OTEL_* settings a process exports its spans by (SharedConfig's, validated). */
export interface TraceExportConfig {
  OTEL_TRACES_EXPORTER?: 'otlp' | 'none'
  OTEL_EXPORTER_OTLP_ENDPOINT?: string
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string
  OTEL_EXPORTER_OTLP_PROTOCOL?: 'http/json' | 'http/protobuf'
  OTEL_SERVICE_NAME?: string
}

/**
 * The OTLP/HTTP address spans go to, or undefined when export is off: off unless an endpoint is
 * set, and off when OTEL_TRACES_EXPORTER is `none` whatever else is set. The traces endpoint is
 * used as given; the general one gets the signal's path appended, as the specification says.
 */
export function traceExportUrl(config: TraceExportConfig): string | undefined {
  if (config.OTEL_TRACES_EXPORTER === 'none') return undefined
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined
}

/**
 * Exports this process's spans over OTLP/HTTP when the settings ask for it (`traceExportUrl`),
 * in batches (BatchSpanProcessor: OTEL_BSP_* tune it, OTEL_TRACES_SAMPLER(_ARG) the sampling,
 * both read by the SDK itself); `flushTracing()` in the drain sends the last batch. Returns
 * whether it exports.
 *
 * `service` is the resource's `service.name` of every span: the process's one service (a
 * standalone `main.ts`, OTEL_SERVICE_NAME first). Without it (the embedded mode: several services
 * on one tracer provider) each span's resource names the service its `service.name` attribute
 * names (`inService`), and OTEL_SERVICE_NAME, else `emporium`, names the spans of none.
 *
 * A collector that is down or refuses costs nothing but the dropped spans: the failure is logged
 * once (warn), and again only after an export went through in between.
 */
export function startTraceExport(
  config: TraceExportConfig,
  options: { log: Logger; service?: string },
): boolean {
  const url = traceExportUrl(config)
  if (!url) return false
  const log = options.log.child({ component: 'trace-export' })
  if (config.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/protobuf') {
    // The one exporter this project ships encodes JSON; the collector's OTLP/HTTP receiver
    // reads both, so the setting is honoured in everything but the encoding.
    log.info('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: spans are sent as http/json')
  }
  const fallback = config.OTEL_SERVICE_NAME ?? 'emporium'
  const exporter = new ServiceResourceExporter(new OTLPTraceExporter({ url }), {
    fixed: options.service ? (config.OTEL_SERVICE_NAME ?? options.service) : undefined,
    fallback,
    log,
  })
  setupTracing({ spanProcessors: [new BatchSpanProcessor(exporter)] })
  markExportingTraces()
  log.info({ url }, 'exporting traces')
  return true
}

/**
 * Instrumentations whose spans outside any trace are dropped: mysql2's has no `requireParentSpan`
 * (pg's and ioredis's have it, instrument.ts), so its queries outside a request or message (the
 * migrations at start) would each be a trace of their own.
 */
const parentlessDropped = new Set(['@opentelemetry/instrumentation-mysql2'])

/**
 * Gives each span the resource of its service before the OTLP exporter groups spans by resource
 * (by identity: one resource object per service name, kept), and logs failures sparingly.
 */
class ServiceResourceExporter implements SpanExporter {
  private readonly resources = new Map<string, { base: Resource; resource: Resource }>()
  private failing = false

  constructor(
    private readonly inner: SpanExporter,
    private readonly options: { fixed?: string; fallback: string; log: Logger },
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const labelled = spans
      .filter(
        (span) => span.parentSpanContext || !parentlessDropped.has(span.instrumentationScope.name),
      )
      .map((span) => withResource(span, this.resourceOf(span)))
    this.inner.export(labelled, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.failing = false
      } else if (!this.failing) {
        this.failing = true
        this.options.log.warn(
          { err: result.error, spans: spans.length },
          'trace export failed; spans are dropped until the collector answers',
        )
      }
      done(result)
    })
  }

  private resourceOf(span: ReadableSpan): Resource {
    const own = span.attributes[serviceNameAttribute]
    const name = this.options.fixed ?? (typeof own === 'string' ? own : this.options.fallback)
    const known = this.resources.get(name)
    if (known?.base === span.resource) return known.resource
    const resource = span.resource.merge(overlay({ [serviceNameAttribute]: name }))
    this.resources.set(name, { base: span.resource, resource })
    return resource
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve()
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown()
  }
}

/**
 * Attributes to merge over a resource (`merge` reads only `getRawAttributes` and `schemaUrl` of
 * its argument): the resources package is the SDK's, not a dependency of ours.
 */
function overlay(attributes: Attributes): Resource {
  const self: Resource = {
    attributes,
    getRawAttributes: () => Object.entries(attributes),
    merge: (other) => other ?? self,
  }
  return self
}

/** The span as the exporter reads it, with another resource. */
function withResource(span: ReadableSpan, resource: Resource): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  }
}
