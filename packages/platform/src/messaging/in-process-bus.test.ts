import { pino } from 'pino'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { PermanentError } from '../errors.js'
import { describeBusConformance, sleep, testEnvelope, waitFor } from './bus-conformance.js'
import { createInProcessBus } from './in-process-bus.js'

const log = pino({ level: 'silent' })

describeBusConformance('in-process bus', ({ retry }) => createInProcessBus({ retry, log }))

describe('in-process bus', () => {
  it('never runs a handler inside the publisher’s call stack', async () => {
    const bus = createInProcessBus({ log })
    let called = false
    await bus.subscribe({ consumer: 'c', types: ['a.b'], handle: async () => void (called = true) })
    const published = bus.publish(testEnvelope('a.b'))
    expect(called).toBe(false)
    await published
    expect(called).toBe(true)
    await bus.close()
  })

  it('resolves publish only after each consumer’s first attempt is over', async () => {
    const bus = createInProcessBus({ retry: { delaysMs: [10_000] }, log })
    const done: string[] = []
    await bus.subscribe({
      consumer: 'slow',
      types: ['a.b'],
      handle: async () => {
        await sleep(50)
        done.push('slow')
      },
    })
    await bus.subscribe({
      consumer: 'failing',
      types: ['a.b'],
      handle: async () => {
        await sleep(20)
        done.push('failing')
        throw new Error('down')
      },
    })
    await bus.subscribe({
      consumer: 'poisoned',
      types: ['a.b'],
      handle: async () => {
        throw new PermanentError('bad')
      },
    })
    await bus.publish(testEnvelope('a.b'))
    expect(done.sort()).toEqual(['failing', 'slow'])
    expect(await bus.deadLetters.list('poisoned')).toHaveLength(1)
    // With no subscriber the event is dropped, and publish does not wait for anyone.
    await bus.publish(testEnvelope('nobody.listens'))
    await bus.close()
  })

  it('handles a consumer’s messages with bounded concurrency', async () => {
    const bus = createInProcessBus({ log, prefetch: 3 })
    let running = 0
    let most = 0
    await bus.subscribe({
      consumer: 'c',
      types: ['a.b'],
      async handle() {
        most = Math.max(most, ++running)
        await sleep(20)
        running--
      },
    })
    await Promise.all(Array.from({ length: 10 }, () => bus.publish(testEnvelope('a.b'))))
    expect(most).toBe(3)
    await bus.close()
  })

  it('close() cancels pending retries and fails publishes that never got an attempt', async () => {
    const bus = createInProcessBus({ retry: { delaysMs: [50] }, log, prefetch: 1 })
    let attempts = 0
    let holdingStarted = false
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    await bus.subscribe({
      consumer: 'c',
      types: ['fail.now', 'wait.here'],
      async handle(envelope) {
        if (envelope.type === 'wait.here') {
          holdingStarted = true
          return gate
        }
        attempts++
        throw new Error('down')
      },
    })
    await bus.publish(testEnvelope('fail.now'))
    const holding = bus.publish(testEnvelope('wait.here'))
    await waitFor('the handler to hold the only slot', () => holdingStarted)
    // Settled as soon as close() starts, so its rejection is caught right away.
    const queued = bus.publish(testEnvelope('wait.here')).catch((error: unknown) => error)
    const closing = bus.close()
    release()
    await closing
    await holding
    expect(await queued).toMatchObject({ code: 'BUS.CLOSED' })
    await sleep(120)
    expect(attempts).toBe(1)
  })

  it('reports handled messages, dead letters and queue depth as metrics', async () => {
    const registry = new Registry()
    const bus = createInProcessBus({ log, registry })
    await bus.subscribe({
      consumer: 'c',
      types: ['a.b'],
      handle: async (e) => {
        if ((e.data as { bad?: boolean }).bad) throw new PermanentError('bad')
      },
    })
    await bus.publish(testEnvelope('a.b'))
    await bus.publish(testEnvelope('a.b', { bad: true }))
    const text = await registry.metrics()
    expect(text).toContain('bus_messages_handled_total{consumer="c",type="a.b",outcome="ok"} 1')
    expect(text).toContain(
      'bus_messages_handled_total{consumer="c",type="a.b",outcome="dead_letter"} 1',
    )
    expect(text).toContain('bus_handler_duration_seconds_count{consumer="c"} 2')
    expect(text).toContain('bus_dead_letters{consumer="c"} 1')
    expect(text).toContain('bus_queue_depth{consumer="c"} 0')
    expect(text).toContain('bus_connected 1')
    await bus.close()
    await waitFor('metrics after close', async () =>
      (await registry.metrics()).includes('bus_connected 0'),
    )
  })
})
