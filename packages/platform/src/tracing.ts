import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator, suppressTracing } from '@opentelemetry/core'
import {
  BasicTracerProvider,
  SamplingDecision,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
// The sampler OTEL_TRACES_SAMPLER(_ARG) names, as the provider builds it by default: not in the
// package's index, and no exports map keeps it private (a test pins that it is there).
import { buildSamplerFromEnv } from '@opentelemetry/sdk-trace-base/build/src/config.js'

export type { Span, Context as TraceContext }

type Carrier = Record<string, string | string[] | undefined>

/** The span attribute naming the service a span belongs to (the resource's, per span). */
export const serviceNameAttribute = 'service.name'

const serviceKey = createContextKey('emporium.service')

/**
 * The context `ctx` with the service that works in it: every span started under it is labelled
 * `service.name` = `service`. Servers and consumers set it; the spans they start inherit it. The
 * embedded mode runs several services on one tracer provider (one resource), so the service is
 * told per span, and the exporter (trace-export.ts) turns it back into a resource per service.
 */
export function inService(ctx: Context, service: string): Context {
  return ctx.setValue(serviceKey, service)
}

/**
 * Forwards to processors added at any time: sdk-trace-base 2.x fixes the processors at
 * construction, but an exporter is wired by `main.ts`, possibly after a server or client has
 * already called `setupTracing()`. It also labels each span with its service (`inService`).
 */
class ForwardingSpanProcessor implements SpanProcessor {
  readonly processors: SpanProcessor[] = []
  onStart(span: Parameters<SpanProcessor['onStart']>[0], parent: Context): void {
    const service = parent.getValue(serviceKey)
    if (typeof service === 'string' && span.attributes[serviceNameAttribute] === undefined) {
      span.setAttribute(serviceNameAttribute, service)
    }
    for (const p of this.processors) p.onStart(span, parent)
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) p.onEnd(span)
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()))
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()))
  }
}

/**
 * Records spans only while a processor takes them (an exporter was started): otherwise each is a
 * non-recording span, whose ids still propagate (traceparent across HTTP and messages, trace ids
 * in logs) but which costs no span object, attributes or timings. They were ~8% of the gateway's
 * CPU on a cached listing, for nothing. With a processor, `delegate` decides (the env's sampler).
 */
export class RecordWhileExporting implements Sampler {
  constructor(
    private readonly forwarding: { readonly processors: readonly SpanProcessor[] },
    private readonly delegate: Sampler,
  ) {}
  shouldSample(...args: Parameters<Sampler['shouldSample']>): SamplingResult {
    if (this.forwarding.processors.length === 0) return { decision: SamplingDecision.NOT_RECORD }
    return this.delegate.shouldSample(...args)
  }
  toString(): string {
    return `RecordWhileExporting{${this.delegate.toString()}}`
  }
}

interface TracingState {
  provider: BasicTracerProvider
  forwarding: ForwardingSpanProcessor
}

// On globalThis, like OpenTelemetry's own globals, so a second copy of this module (test
// isolation, two bundles in one process) finds the first setup instead of fighting over it.
const stateKey = Symbol.for('emporium.platform.tracing')
const globals = globalThis as { [stateKey]?: TracingState }

/**
 * Installs the process-wide OpenTelemetry context manager, W3C propagator and tracer provider,
 * once; later calls only add their span processors. With no processor, spans are not recorded
 * (RecordWhileExporting) but their ids are propagated (traceparent across HTTP and messages,
 * trace ids in logs). Entry points export with `startTraceExport` (trace-export.ts), which
 * adds an OTLP processor here when the OTEL_* settings ask for one.
 */
export function setupTracing(options: { spanProcessors?: SpanProcessor[] } = {}): void {
  let state = globals[stateKey]
  if (!state) {
    const forwarding = new ForwardingSpanProcessor()
    const provider = new BasicTracerProvider({
      spanProcessors: [forwarding],
      sampler: new RecordWhileExporting(forwarding, buildSamplerFromEnv()),
    })
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    trace.setGlobalTracerProvider(provider)
    state = { provider, forwarding }
    globals[stateKey] = state
  }
  state.forwarding.processors.push(...(options.spanProcessors ?? []))
}

// The libraries OpenTelemetry's instrumentations patch in this thread (instrument.ts), on
// globalThis for the same reason as the tracing state.
const instrumentedKey = Symbol.for('emporium.platform.instrumented-libraries')
const instrumented = globalThis as { [instrumentedKey]?: ReadonlySet<string> }

/** Records the libraries instrumented in this thread (instrument.ts). */
export function markInstrumented(libraries: Iterable<string>): void {
  instrumented[instrumentedKey] = new Set(libraries)
}

/** Whether `library` (`pg`, `undici`, `fastify`, …) was instrumented in this thread. */
export function isInstrumented(library: string): boolean {
  return instrumented[instrumentedKey]?.has(library) ?? false
}

const exportingKey = Symbol.for('emporium.platform.exporting-traces')
const exporting = globalThis as { [exportingKey]?: boolean }

/** Records that this process exports its spans (trace-export.ts): exemplars are worth keeping. */
export function markExportingTraces(): void {
  exporting[exportingKey] = true
}

/** Whether this process exports its spans (`startTraceExport` found an endpoint). */
export function isExportingTraces(): boolean {
  return exporting[exportingKey] ?? false
}

/** Flushes and stops the span processors, for graceful shutdown. */
export async function shutdownTracing(): Promise<void> {
  await globals[stateKey]?.provider.shutdown()
}

/**
 * Exports the spans ended so far, waiting at most `timeoutMs`: the last step of a drain. The
 * processors keep working afterwards (a test may drain a process and go on in the same thread).
 */
export async function flushTracing(timeoutMs = 5_000): Promise<void> {
  const state = globals[stateKey]
  if (!state) return
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs)
    timer.unref()
  })
  await Promise.race([state.forwarding.forceFlush().catch(() => undefined), late])
  clearTimeout(timer)
}

/**
 * The trace context carried by incoming headers or a message envelope (`{ traceparent }`), on
 * top of the root context: an incoming request or message starts from what its sender says,
 * never from whatever happens to be active.
 */
export function extractContext(carrier: Carrier): Context {
  setupTracing()
  return propagation.extract(ROOT_CONTEXT, carrier)
}

/**
 * Runs `work` (a background loop's poll, a periodic job) outside any trace, with tracing
 * suppressed: the libraries' instrumentations make no span of its queries. What it starts from a
 * carried context of its own (`extractContext`, e.g. an event's publish) is traced again.
 */
export function untraced<T>(work: () => T): T {
  setupTracing()
  return context.with(suppressTracing(ROOT_CONTEXT), work)
}

/**
 * Runs `work` in the trace `traceparent` names (an event's, when it is published): the broker
 * library's publish span joins the trace of the request that wrote the event. Without one,
 * untraced.
 */
export function inTraceOf<T>(traceparent: string | undefined, work: () => T): T {
  if (!traceparent) return untraced(work)
  return context.with(extractContext({ traceparent }), work)
}

function injectActive(): Record<string, string> {
  setupTracing()
  const carrier: Record<string, string> = {}
  propagation.inject(context.active(), carrier)
  return carrier
}

/**
 * Headers (`traceparent`, and `tracestate` when there is one) for the active context, for an
 * outgoing HTTP request; none when undici's instrumentation writes them itself (instrument.ts),
 * naming its client span: a request carries one `traceparent`, never two.
 */
export function injectTraceHeaders(): Record<string, string> {
  return isInstrumented('undici') ? {} : injectActive()
}

/** The active W3C traceparent, to stamp on an outgoing message; undefined outside a span. */
export function currentTraceparent(): string | undefined {
  return injectActive().traceparent
}

/** The trace id of the active span, e.g. for a log line or a test. */
export function currentTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId
}

const spanKinds = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
} as const

export interface SpanOptions {
  kind?: keyof typeof spanKinds
  /** The parent; the active context by default. A consumer passes `extractContext(...)`. */
  parent?: Context
}

/**
 * Runs `fn` in a new span, child of `options.parent` or the active context, with the span
 * active inside `fn` (so logs, outgoing calls and messages carry it). The span ends when `fn`
 * settles; a thrown error is recorded on it and rethrown.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => T | Promise<T>,
  options: SpanOptions = {},
): Promise<T> {
  setupTracing()
  const tracer = trace.getTracer('emporium')
  const kind = spanKinds[options.kind ?? 'internal']
  const parent = options.parent ?? context.active()
  return tracer.startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await fn(span)
    } catch (error) {
      recordError(span, error)
      throw error
    } finally {
      span.end()
    }
  })
}

/** Marks a span failed with the error; for spans whose end is not managed by `withSpan`. */
export function recordError(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error)
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  })
}
