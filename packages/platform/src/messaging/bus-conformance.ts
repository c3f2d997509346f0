import { randomBytes, randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { EventEnvelope } from '@emporium/contracts'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { PermanentError } from '../errors.js'
import type { EventBus, RetryPolicy } from './bus.js'

/** Small delays so the suite runs in seconds; they grow, as real policies do. */
export const conformanceRetry: RetryPolicy = { delaysMs: [50, 120, 250] }

export interface BusConformanceOptions {
  /** Runs after the suite with every consumer name it used, to delete broker resources. */
  cleanup?(consumers: readonly string[]): Promise<void>
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

export function testEnvelope(type: string, data: unknown = {}): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'bus-conformance',
    correlationId: randomUUID(),
    causationId: null,
    data,
  }
}

/**
 * The behaviour every EventBus adapter must show, run against each of them (the RabbitMQ
 * adapter for real, the in-process one in memory). `makeBus` must honour the retry policy it
 * is given; every test uses consumer and type names of its own, so runs never collide.
 */
export function describeBusConformance(
  name: string,
  makeBus: (options: { retry: RetryPolicy }) => EventBus | Promise<EventBus>,
  options: BusConformanceOptions = {},
): void {
  describe(`${name}: bus conformance`, () => {
    const run = randomBytes(3).toString('hex')
    const consumers: string[] = []
    const buses: EventBus[] = []
    let n = 0
    const consumerName = (label: string) => {
      const consumer = `conformance-${run}-${label}-${++n}`
      consumers.push(consumer)
      return consumer
    }
    const typeName = (label: string) => `c${run}-${++n}.${label}`
    const newBus = async () => {
      const bus = await makeBus({ retry: conformanceRetry })
      buses.push(bus)
      return bus
    }
    const { delaysMs } = conformanceRetry

    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.close()))
    })
    afterAll(async () => {
      await options.cleanup?.(consumers)
    })

    it('delivers every event to every subscribed consumer, in whatever order', async () => {
      const bus = await newBus()
      const type = typeName('placed')
      const received = { a: new Map<string, EventEnvelope>(), b: new Map<string, EventEnvelope>() }
      for (const label of ['a', 'b'] as const) {
        await bus.subscribe({
          consumer: consumerName(label),
          types: [type],
          async handle(envelope) {
            // Uneven handling times: completion order differs from publishing order.
            await sleep(Math.random() * 20)
            received[label].set(envelope.id, envelope)
          },
        })
      }
      const events = Array.from({ length: 20 }, (_, i) => testEnvelope(type, { i }))
      await Promise.all(events.map((event) => bus.publish(event)))
      await waitFor('both consumers to get all events', () =>
        Object.values(received).every((got) => got.size === events.length),
      )
      for (const got of Object.values(received)) {
        // Compared as sets: no order is promised.
        expect([...got.keys()].sort()).toEqual(events.map((e) => e.id).sort())
        for (const event of events) expect(got.get(event.id)).toEqual(event)
      }
    })

    it('does not deliver a type the consumer did not subscribe to', async () => {
      const bus = await newBus()
      const wanted = typeName('wanted')
      const other = typeName('other')
      const got = { a: [] as string[], b: [] as string[] }
      await bus.subscribe({
        consumer: consumerName('a'),
        types: [wanted],
        handle: async (e) => void got.a.push(e.type),
      })
      await bus.subscribe({
        consumer: consumerName('b'),
        types: [other],
        handle: async (e) => void got.b.push(e.type),
      })
      await bus.publish(testEnvelope(other))
      await bus.publish(testEnvelope(wanted))
      await bus.publish(testEnvelope(typeName('nobody')))
      await waitFor('deliveries', () => got.a.length === 1 && got.b.length === 1)
      await sleep(200)
      expect(got).toEqual({ a: [wanted], b: [other] })
    })

    it('retries with growing delays, dead-letters after the last, and replays on demand', async () => {
      const bus = await newBus()
      const type = typeName('failing')
      const consumer = consumerName('failing')
      const attempts: { attempt: number; at: number }[] = []
      const handled: string[] = []
      let failing = true
      await bus.subscribe({
        consumer,
        types: [type],
        async handle(envelope, { attempt }) {
          attempts.push({ attempt, at: performance.now() })
          if (failing) throw new Error(`boom on attempt ${attempt}`)
          handled.push(envelope.id)
        },
      })
      // A second consumer of the type that succeeds: a retry must not reach it again.
      const bystander: string[] = []
      await bus.subscribe({
        consumer: consumerName('bystander'),
        types: [type],
        handle: async (e) => void bystander.push(e.id),
      })
      const event = testEnvelope(type, { sku: 'A-1' })
      await bus.publish(event)

      await waitFor(
        'the dead letter',
        async () => (await bus.deadLetters.list(consumer)).length > 0,
      )
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4])
      const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at)
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(delaysMs[i]! - 5))
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]!)

      const [letter, ...more] = await bus.deadLetters.list(consumer)
      expect(more).toEqual([])
      expect(letter).toMatchObject({ id: event.id, consumer, attempts: delaysMs.length + 1 })
      expect(letter!.envelope).toEqual(event)
      expect(letter!.error).toContain('boom on attempt 4')
      expect(Date.parse(letter!.deadLetteredAt)).toBeGreaterThan(Date.now() - 60_000)
      // Listing is reading: the dead letter is still there, and nothing was redelivered.
      expect((await bus.deadLetters.list(consumer)).map((l) => l.id)).toEqual([event.id])
      await sleep(100)
      expect(attempts).toHaveLength(4)
      expect(bystander).toEqual([event.id])

      failing = false
      expect(await bus.deadLetters.replay(consumer)).toBe(1)
      await waitFor('the replayed event', () => handled.length === 1)
      expect(handled).toEqual([event.id])
      // The replayed message starts over: attempt 1, with the full retry budget.
      expect(attempts.at(-1)!.attempt).toBe(1)
      expect(await bus.deadLetters.list(consumer)).toEqual([])
      expect(bystander).toEqual([event.id])
    })

    it('dead-letters a PermanentError at once; replays chosen ids; purges the rest', async () => {
      const bus = await newBus()
      const type = typeName('poison')
      const consumer = consumerName('poison')
      const calls = new Map<string, number>()
      const handled: string[] = []
      let poisoned = true
      await bus.subscribe({
        consumer,
        types: [type],
        async handle(envelope) {
          calls.set(envelope.id, (calls.get(envelope.id) ?? 0) + 1)
          if (poisoned) throw new PermanentError('unknown sku')
          handled.push(envelope.id)
        },
      })
      const events = [testEnvelope(type), testEnvelope(type), testEnvelope(type)]
      for (const event of events) await bus.publish(event)
      await waitFor(
        '3 dead letters',
        async () => (await bus.deadLetters.list(consumer)).length === 3,
      )
      await sleep(delaysMs[0]! * 3)
      expect([...calls.values()]).toEqual([1, 1, 1])
      const letters = await bus.deadLetters.list(consumer)
      for (const letter of letters) {
        expect(letter).toMatchObject({ attempts: 1, consumer })
        expect(letter.error).toContain('unknown sku')
      }

      poisoned = false
      const [first, chosen, last] = events as [EventEnvelope, EventEnvelope, EventEnvelope]
      expect(await bus.deadLetters.replay(consumer, [chosen.id])).toBe(1)
      await waitFor('the chosen event', () => handled.length === 1)
      expect(handled).toEqual([chosen.id])
      const left = (await bus.deadLetters.list(consumer)).map((l) => l.id).sort()
      expect(left).toEqual([first.id, last.id].sort())

      expect(await bus.deadLetters.purge(consumer)).toBe(2)
      expect(await bus.deadLetters.list(consumer)).toEqual([])
      await sleep(100)
      expect(handled).toEqual([chosen.id])
    })

    it('a redelivered event has no second effect when the handler dedupes on its id', async () => {
      const bus = await newBus()
      const type = typeName('twice')
      const inbox = new Set<string>()
      let deliveries = 0
      let effects = 0
      await bus.subscribe({
        consumer: consumerName('dedupe'),
        types: [type],
        async handle(envelope) {
          deliveries++
          if (inbox.has(envelope.id)) return
          inbox.add(envelope.id)
          effects++
        },
      })
      const event = testEnvelope(type)
      await bus.publish(event)
      await bus.publish(event)
      await waitFor('both deliveries', () => deliveries === 2)
      await sleep(100)
      expect({ deliveries, effects }).toEqual({ deliveries: 2, effects: 1 })
    })

    it('a batching subscription gets every event applied once; a poison one is dead-lettered alone', async () => {
      const bus = await newBus()
      const type = typeName('batched')
      const consumer = consumerName('batched')
      const applied = new Map<string, number>()
      const apply = (envelope: EventEnvelope) => {
        if ((envelope.data as { poison?: boolean }).poison) throw new PermanentError('poison')
        applied.set(envelope.id, (applied.get(envelope.id) ?? 0) + 1)
      }
      await bus.subscribe({
        consumer,
        types: [type],
        handle: async (envelope) => apply(envelope),
        // All or nothing, as one transaction would be: a failure leaves nothing applied.
        async handleBatch(items) {
          await sleep(5)
          const staged = new Map(applied)
          for (const { envelope } of items) {
            if ((envelope.data as { poison?: boolean }).poison) throw new Error('batch failed')
            staged.set(envelope.id, (staged.get(envelope.id) ?? 0) + 1)
          }
          for (const [id, count] of staged) applied.set(id, count)
          return items.map(() => ({ ok: true as const }))
        },
      })
      const events = Array.from({ length: 30 }, (_, i) =>
        testEnvelope(type, { i, poison: i === 12 }),
      )
      await Promise.all(events.map((event) => bus.publish(event)))
      await waitFor(
        'the poison dead letter',
        async () => (await bus.deadLetters.list(consumer)).length === 1,
      )
      await waitFor('the others', () => applied.size === 29)
      await sleep(100)
      expect((await bus.deadLetters.list(consumer)).map((l) => l.id)).toEqual([events[12]!.id])
      expect([...applied.keys()].sort()).toEqual(
        events
          .filter((_, i) => i !== 12)
          .map((e) => e.id)
          .sort(),
      )
      expect(new Set(applied.values())).toEqual(new Set([1]))
    })

    it('refuses a second subscription for the same consumer', async () => {
      const bus = await newBus()
      const consumer = consumerName('twice')
      await bus.subscribe({ consumer, types: [typeName('x')], handle: async () => {} })
      await expect(
        bus.subscribe({ consumer, types: [typeName('y')], handle: async () => {} }),
      ).rejects.toMatchObject({ code: 'BUS.DUPLICATE_CONSUMER' })
    })

    it('close() waits for the handler in flight, then refuses to publish', async () => {
      const bus = await newBus()
      const type = typeName('slow')
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      let started = false
      let finished = false
      await bus.subscribe({
        consumer: consumerName('slow'),
        types: [type],
        async handle() {
          started = true
          await gate
          await sleep(20)
          finished = true
        },
      })
      const published = bus.publish(testEnvelope(type))
      await waitFor('the handler to start', () => started)
      let closed = false
      const closing = bus.close().then(() => (closed = true))
      await sleep(150)
      expect(closed).toBe(false)
      release()
      await closing
      expect(finished).toBe(true)
      await published
      await expect(bus.publish(testEnvelope(type))).rejects.toMatchObject({ code: 'BUS.CLOSED' })
      await expect(bus.check()).rejects.toThrow()
    })
  })
}
