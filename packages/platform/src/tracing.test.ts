import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api'
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { buildSamplerFromEnv } from '@opentelemetry/sdk-trace-base/build/src/config.js'
import { describe, expect, it } from 'vitest'
import { RecordWhileExporting, setupTracing } from './tracing.js'

const ask = (sampler: RecordWhileExporting) =>
  sampler.shouldSample(
    ROOT_CONTEXT,
    '4bf92f3577b34da6a3ce929d0e0e4736',
    'GET',
    SpanKind.SERVER,
    {},
    [],
  ).decision

describe('spans recorded only while exported', () => {
  it('records nothing without a processor, and as the delegate decides with one', () => {
    const forwarding = { processors: [] as SpanProcessor[] }
    const sampler = new RecordWhileExporting(forwarding, new AlwaysOnSampler())
    expect(ask(sampler)).toBe(SamplingDecision.NOT_RECORD)
    forwarding.processors.push(new SimpleSpanProcessor(new InMemorySpanExporter()))
    expect(ask(sampler)).toBe(SamplingDecision.RECORD_AND_SAMPLED)
  })

  it("keeps the env's sampler as the provider would build it (a deep import pinned here)", () => {
    expect(typeof buildSamplerFromEnv).toBe('function')
    expect(buildSamplerFromEnv().toString()).toMatch(/ParentBased/)
  })

  it('gives a process without an exporter spans that record nothing yet carry ids', () => {
    setupTracing()
    const tracer = trace.getTracer('test')
    const quiet = tracer.startSpan('quiet')
    expect(quiet.isRecording()).toBe(false)
    expect(trace.isSpanContextValid(quiet.spanContext())).toBe(true)
    quiet.end()
    const exporter = new InMemorySpanExporter()
    setupTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
    const loud = tracer.startSpan('loud')
    expect(loud.isRecording()).toBe(true)
    loud.end()
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['loud'])
  })
})
