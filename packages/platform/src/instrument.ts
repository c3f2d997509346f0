import { register } from 'node:module'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation'
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib'
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis'
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import { createAddHookMessageChannel } from 'import-in-the-middle'
import { traceExportUrl, type TraceExportConfig } from './trace-export.js'
import { isInstrumented, markInstrumented, setupTracing } from './tracing.js'

// The libraries' own spans (OpenTelemetry's instrumentations): database queries, Redis commands,
// broker publishes and consumes, outgoing HTTP, and fastify's hooks and handlers. They patch the
// modules as they load, so this entry (`@emporium/platform/instrument`) imports none of them and
// runs first: a `main.ts` awaits `instrumentLibraries()` and only then imports the service
// (`await import('./standalone.js')`). Without an export configured (the OTEL_* settings,
// `traceExportUrl`) nothing is hooked and nothing costs.

/** The instrumented libraries, by the names OTEL_NODE_DISABLED_INSTRUMENTATIONS takes. */
export const instrumentedLibraries = [
  'fastify',
  'pg',
  'mysql2',
  'ioredis',
  'amqplib',
  'undici',
] as const
export { isInstrumented }
export type InstrumentedLibrary = (typeof instrumentedLibraries)[number]

export interface InstrumentationSettings extends TraceExportConfig {
  /** Comma-separated libraries left alone, e.g. `amqplib,undici` (OpenTelemetry's own name). */
  OTEL_NODE_DISABLED_INSTRUMENTATIONS?: string
}

interface InstrumentedState {
  libraries: InstrumentedLibrary[]
  fastify?: FastifyOtelInstrumentation
}

const stateKey = Symbol.for('emporium.platform.instrumented')
const globals = globalThis as { [stateKey]?: InstrumentedState }

/** The libraries `settings` asks to instrument: all but the disabled ones, none without export. */
export function librariesToInstrument(settings: InstrumentationSettings): InstrumentedLibrary[] {
  if (!traceExportUrl(settings)) return []
  const disabled = new Set(
    (settings.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  )
  return instrumentedLibraries.filter((name) => !disabled.has(name))
}

function create(library: InstrumentedLibrary): Instrumentation {
  switch (library) {
    case 'fastify':
      // Registered on each server by `createServer` (fastifyInstrumentation()): its spans are
      // the hooks' and the handler's, under the platform's own server span.
      return new FastifyOtelInstrumentation({
        // Probes and scrapes: not worth a span each.
        ignorePaths: ({ url }) => /^\/(healthz|readyz|metrics)(\?|$)/.test(url),
      })
    case 'pg':
      // A query outside any span is the outbox relay's or a periodic job's poll: not traced.
      return new PgInstrumentation({ requireParentSpan: true })
    case 'mysql2':
      return new MySQL2Instrumentation()
    case 'ioredis':
      return new IORedisInstrumentation({ requireParentSpan: true })
    case 'amqplib':
      return new AmqplibInstrumentation()
    case 'undici':
      // It also writes `traceparent` on each request, so the platform's clients stop writing
      // theirs (`injectTraceHeaders`): one header, naming undici's client span.
      return new UndiciInstrumentation({ requireParentforSpans: true })
  }
}

/**
 * Hooks the libraries' modules (import-in-the-middle for ESM, require-in-the-middle for CommonJS)
 * and enables their instrumentations, once per thread, when `settings` export traces; returns
 * the libraries instrumented. Must run before the libraries are imported.
 */
export async function instrumentLibraries(
  settings: InstrumentationSettings,
): Promise<InstrumentedLibrary[]> {
  const known = globals[stateKey]
  if (known) return known.libraries
  const libraries = librariesToInstrument(settings)
  const state: InstrumentedState = { libraries }
  globals[stateKey] = state
  markInstrumented(libraries)
  if (libraries.length === 0) return []
  setupTracing()
  // Only the modules the instrumentations name go through import-in-the-middle's wrapper.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel()
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions)
  const instrumentations = libraries.map(create)
  registerInstrumentations({ instrumentations })
  state.fastify = instrumentations.find(
    (i): i is FastifyOtelInstrumentation => i instanceof FastifyOtelInstrumentation,
  )
  await waitForAllMessagesAcknowledged()
  return libraries
}

/** The fastify instrumentation's plugin, for `createServer` to register; undefined when off. */
export function fastifyInstrumentation(): FastifyOtelInstrumentation | undefined {
  return globals[stateKey]?.fastify
}
