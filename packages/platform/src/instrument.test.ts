import { describe, expect, it } from 'vitest'
import { instrumentedLibraries, librariesToInstrument } from './instrument.js'

// The libraries' own spans (instrument.ts): off unless traces are exported, each one off on
// request. That they really patch pg, mysql2, ioredis, amqplib, undici and fastify is proven
// end to end by tests/e2e/tracing.int.test.ts (distributed), on the real servers.
describe('librariesToInstrument', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }

  it('instruments nothing unless an export is configured', () => {
    expect(librariesToInstrument({})).toEqual([])
    expect(librariesToInstrument({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toEqual([])
  })

  it('instruments every library while traces are exported', () => {
    expect(librariesToInstrument(endpoint)).toEqual([...instrumentedLibraries])
    expect(
      librariesToInstrument({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }),
    ).toEqual([...instrumentedLibraries])
  })

  it('leaves alone the libraries OTEL_NODE_DISABLED_INSTRUMENTATIONS names', () => {
    expect(
      librariesToInstrument({
        ...endpoint,
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' amqplib, undici',
      }),
    ).toEqual(['fastify', 'pg', 'mysql2', 'ioredis'])
  })
})
