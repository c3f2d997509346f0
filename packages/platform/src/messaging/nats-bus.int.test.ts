import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import {
  AckPolicy,
  DiscardPolicy,
  JetStreamApiError,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { nanos } from '@nats-io/nats-core'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import { PermanentError } from '../errors.js'
import { natsQueueDepths } from '../testing/nats-depths.js'
import { startPrivateNats } from '../testing/private-servers.js'
import { testServers } from '../testing/test-databases.js'
import type { EventBus } from './bus.js'
import {
  conformanceRetry,
  describeBusConformance,
  sleep,
  testEnvelope,
  waitFor,
} from './bus-conformance.js'
import { natsHeaderNames } from './nats-message.js'
import { createNatsBus, type NatsBusOptions } from './nats-bus.js'
import { natsNamesOf } from './nats-topology.js'

// Names of this run only (its own stream and subjects), so parallel runs never see each other.
const run = randomBytes(4).toString('hex')
const exchange = `test.${run}`
const names = natsNamesOf(exchange)
const url = testServers.nats
const server = new URL(url).host
const silent = pino({ level: 'silent' })

async function manager(servers = server) {
  const nc = await connect({ servers })
  return { nc, jsm: await jetstreamManager(nc) }
}

/** A bus on a private nats-server of one test, reconnecting quickly after its restarts. */
const privateBus = (nats: { url: string }, prefix: string, options: Partial<NatsBusOptions> = {}) =>
  createNatsBus({
    url: nats.url,
    exchange: `${prefix}.${run}`,
    retry: conformanceRetry,
    log: silent,
    reconnectSeconds: 0.2,
    ...options,
  })

/** Deletes the run's events stream (its consumers go with it) and these dead-letter streams. */
async function deleteStreams(consumers: readonly string[], extra: string[] = []): Promise<void> {
  const { nc, jsm } = await manager()
  const streams = [names.stream, ...consumers.map(names.dlqStream), ...extra]
  for (const stream of streams) {
    await jsm.streams.delete(stream).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError)) throw error
    })
  }
  await nc.close()
}

const newBus = (options: Partial<NatsBusOptions> = {}) =>
  createNatsBus({
    url,
    exchange,
    retry: conformanceRetry,
    log: silent,
    registry: new Registry(),
    reconnectSeconds: 0.5,
    ...options,
  })

describeBusConformance('NATS JetStream bus', ({ retry }) => newBus({ retry }), {
  cleanup: (consumers) => deleteStreams(consumers),
})

describe('NATS JetStream bus', () => {
  const consumers: string[] = []
  const extraStreams: string[] = []
  const buses: EventBus[] = []
  const consumerName = (label: string) => {
    const name = `nats-${run}-${label}`
    consumers.push(name)
    return name
  }
  const open = (options: Partial<NatsBusOptions> = {}) => {
    const bus = newBus(options)
    buses.push(bus)
    return bus
  }
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()))
    await deleteStreams(consumers, extraStreams)
  })

  it('publishes JSON to a file-stored stream, with id, type and trace context in headers', async () => {
    const bus = open()
    const type = `n${run}.inspected`
    const { nc, jsm } = await manager()
    try {
      // The bus declares its stream on the first publish: every event kept 7 days.
      await bus.publish(testEnvelope(`n${run}.warm-up`))
      const info = await jsm.streams.info(names.stream)
      expect(info.config).toMatchObject({
        subjects: [`${exchange}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_age: nanos(7 * 24 * 60 * 60 * 1_000),
      })
      await jsm.consumers.add(names.stream, {
        durable_name: `inspect-${run}`,
        ack_policy: AckPolicy.Explicit,
      })
      const event = {
        ...testEnvelope(type),
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      }
      await bus.publish(event)
      const stored = await jsm.streams.getMessage(names.stream, {
        last_by_subj: `${exchange}.${type}`,
      })
      if (!stored) throw new Error('published message not stored')
      expect(stored.header.get(natsHeaderNames.id)).toBe(event.id)
      expect(stored.header.get(natsHeaderNames.type)).toBe(type)
      expect(stored.header.get(natsHeaderNames.correlationId)).toBe(event.correlationId)
      expect(stored.header.get('traceparent')).toBe(event.traceparent)
      expect(stored.json()).toEqual(event)
      await jsm.consumers.delete(names.stream, `inspect-${run}`)
    } finally {
      await nc.close()
    }
  })

  it('pipelines publishes, each resolving only with its acknowledgement', async () => {
    const bus = open()
    const consumer = consumerName('pipelined')
    const type = `n${run}.pipelined`
    const got = new Set<string>()
    await bus.subscribe({ consumer, types: [type], handle: async (e) => void got.add(e.id) })
    const events = Array.from({ length: 300 }, (_, i) => testEnvelope(type, { i }))
    await Promise.all(
      events.map((event) =>
        bus.publishSerialized!({ id: event.id, type, body: JSON.stringify(event) }),
      ),
    )
    await waitFor('every pipelined event', () => got.size === events.length, 15_000)
  })

  it('rejects a publish the stream refuses, and keeps publishing afterwards', async () => {
    // A stream of its own that takes one message and refuses the next (discard new).
    const refusing = `refusing.${run}`
    extraStreams.push(natsNamesOf(refusing).stream)
    const { nc, jsm } = await manager()
    await jsm.streams.add({
      name: natsNamesOf(refusing).stream,
      subjects: [`${refusing}.>`],
      storage: StorageType.File,
      max_msgs: 1,
      discard: DiscardPolicy.New,
    })
    await nc.close()
    const bus = open({ exchange: refusing })
    await expect(bus.publish(testEnvelope(`n${run}.first`))).resolves.toBeUndefined()
    await expect(bus.publish(testEnvelope(`n${run}.refused`))).rejects.toMatchObject({
      code: 'BUS.PUBLISH_FAILED',
    })
    await expect(open().publish(testEnvelope(`n${run}.accepted`))).resolves.toBeUndefined()
  })

  it('changes a stream an older bus declared with interest retention to limits, or warns', async () => {
    const legacy = `legacy.${run}`
    const legacyStream = natsNamesOf(legacy).stream
    extraStreams.push(legacyStream)
    const { nc, jsm } = await manager()
    try {
      await jsm.streams.add({
        name: legacyStream,
        subjects: [`${legacy}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Interest,
      })
      const warnings: string[] = []
      const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) })
      const bus = open({ exchange: legacy, log })
      await expect(bus.publish(testEnvelope(`n${run}.legacy`))).resolves.toBeUndefined()
      await expect(bus.publish(testEnvelope(`n${run}.legacy`))).resolves.toBeUndefined()
      const { config } = await jsm.streams.info(legacyStream)
      if (config.retention === RetentionPolicy.Limits) {
        // A server that changes retention in place (2.10 and later): nothing to warn about.
        expect(warnings).toEqual([])
      } else {
        // Debian's 2.9.10 refuses: the operator is told, once, what to do.
        expect(warnings).toHaveLength(1)
        expect(JSON.parse(warnings[0]!)).toMatchObject({
          stream: legacyStream,
          msg: expect.stringContaining('interest retention'),
        })
      }
    } finally {
      await nc.close()
    }
  })

  it('does not resolve a publish while the server is unreachable', async () => {
    const bus = open({ url: 'nats://127.0.0.1:1', publishTimeoutMs: 300 })
    await expect(bus.check()).rejects.toMatchObject({ code: 'BUS.DISCONNECTED' })
    const started = Date.now()
    await expect(bus.publish(testEnvelope(`n${run}.lost`))).rejects.toMatchObject({
      code: 'BUS.PUBLISH_FAILED',
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    await expect(bus.deadLetters.list('any')).rejects.toMatchObject({ code: 'BUS.DISCONNECTED' })
  })

  it("copies a dead letter to the consumer's dead-letter stream and removes the original", async () => {
    const bus = open()
    const consumer = consumerName('dead')
    const type = `n${run}.dead`
    await bus.subscribe({
      consumer,
      types: [type],
      async handle() {
        throw new PermanentError('no such sku')
      },
    })
    const event = testEnvelope(type)
    await bus.publish(event)
    const { nc, jsm } = await manager()
    try {
      await waitFor('the dead letter', async () => {
        const info = await jsm.streams.info(names.dlqStream(consumer))
        return info.state.messages === 1
      })
      const stored = await jsm.streams.getMessage(names.dlqStream(consumer), {
        last_by_subj: names.dlqSubject(consumer),
      })
      expect(stored!.json()).toEqual(event)
      expect(stored!.header.get(natsHeaderNames.consumer)).toBe(consumer)
      expect(stored!.header.get(natsHeaderNames.attempt)).toBe('1')
      expect(stored!.header.get(natsHeaderNames.lastError)).toBe('PermanentError: no such sku')
      // Acked once copied: nothing of it is left for the consumer (nor kept by the stream).
      await waitFor('the original to be acked', async () => {
        const info = await jsm.consumers.info(names.stream, names.durable(consumer))
        return info.num_ack_pending === 0 && info.num_pending === 0
      })
    } finally {
      await nc.close()
    }
  })

  it('redelivers what a consumer that crashed never acked, after the ack wait', async () => {
    const consumer = consumerName('crashed')
    const type = `n${run}.crashed`
    const ackWaitMs = 1_000
    // A process of its own that takes the event and dies (SIGKILL) before acking it.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./nats-test-holder.ts', import.meta.url)),
        ...[url, exchange, consumer, type],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const lines = createInterface({ input: child.stdout })
    const [ready] = (await once(lines, 'line')) as [string]
    expect(ready).toBe('subscribed')
    const bus = open({ ackWaitMs })
    const event = testEnvelope(type)
    await bus.publish(event)
    const [held] = (await once(lines, 'line')) as [string]
    expect(held).toBe(`holding ${event.id} attempt 1`)
    child.kill('SIGKILL')
    await once(child, 'exit')

    const attempts: number[] = []
    await bus.subscribe({
      consumer,
      types: [type],
      handle: async (_, { attempt }) => void attempts.push(attempt),
    })
    await waitFor('the redelivery', () => attempts.length === 1, 15_000)
    expect(attempts).toEqual([2])
    await sleep(ackWaitMs * 1.5)
    expect(attempts).toEqual([2]) // acked this time: not redelivered again
  })

  it('reports handled messages, dead letters and consumer lag on scrape', async () => {
    const registry = new Registry()
    const bus = open({ registry })
    const consumer = consumerName('metrics')
    const type = `n${run}.measured`
    await bus.subscribe({
      consumer,
      types: [type],
      async handle(envelope) {
        if ((envelope.data as { bad?: boolean }).bad) throw new PermanentError('bad')
      },
    })
    await bus.publish(testEnvelope(type))
    await bus.publish(testEnvelope(type, { bad: true }))
    await waitFor(
      'the dead letter',
      async () => (await bus.deadLetters.list(consumer)).length === 1,
    )
    const text = await registry.metrics()
    const labels = `consumer="${consumer}",type="${type}"`
    expect(text).toContain(`bus_messages_handled_total{${labels},outcome="ok"} 1`)
    expect(text).toContain(`bus_messages_handled_total{${labels},outcome="dead_letter"} 1`)
    expect(text).toContain(`bus_dead_letters{consumer="${consumer}"} 1`)
    expect(text).toContain(`bus_queue_depth{consumer="${consumer}"} 0`)
    expect(text).toContain('bus_connected 1')
  })

  it('shows what waits per consumer to the tests (natsQueueDepths), named as RabbitMQ queues', async () => {
    const bus = open()
    const consumer = consumerName('depths')
    const type = `n${run}.waiting`
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    await bus.subscribe({
      consumer,
      types: [type],
      async handle(envelope) {
        await gate
        if ((envelope.data as { bad?: boolean }).bad) throw new PermanentError('bad')
      },
    })
    for (let i = 0; i < 4; i++) await bus.publish(testEnvelope(type))
    await bus.publish(testEnvelope(type, { bad: true }))
    expect((await natsQueueDepths(url, exchange)).get(consumer)).toBe(5)
    release()
    await waitFor('the dead letter', async () => {
      const depths = await natsQueueDepths(url, exchange)
      return depths.get(consumer) === 0 && depths.get(`${consumer}.dlq`) === 1
    })
  })

  it('names a consumer with no dead-letter stream', async () => {
    const bus = open()
    await expect(bus.deadLetters.list(`nats-${run}-nobody`)).rejects.toMatchObject({
      code: 'BUS.NO_DEAD_LETTER_QUEUE',
    })
  })
})

describe('NATS JetStream bus and a server killed', () => {
  it('keeps every acknowledged event through a SIGKILL of the server (SIGTERM before 2.10), and resumes', async () => {
    const nats = await startPrivateNats()
    const bus = privateBus(nats, 'crash', {
      ackWaitMs: 2_000,
      prefetch: 10, // all but 10 of the events are in the server's store only when it dies
    })
    try {
      const type = `k${run}.kept`
      const inbox = new Set<string>()
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      await bus.subscribe({
        consumer: `killed-${run}`,
        types: [type],
        async handle(envelope) {
          await gate // nothing is acked before the kill: all of it must come from the store
          inbox.add(envelope.id)
        },
      })
      const before = Array.from({ length: 300 }, (_, i) => testEnvelope(type, { i }))
      await Promise.all(before.map((event) => bus.publish(event)))

      // A server that does not fsync before acknowledging is stopped instead (PrivateNats.crash).
      await nats.crash()
      await waitFor('the bus to notice', () =>
        bus.check().then(
          () => false,
          () => true,
        ),
      )
      await nats.start()
      await waitFor(
        'the bus to reconnect',
        () =>
          bus.check().then(
            () => true,
            () => false,
          ),
        15_000,
      )
      release()
      const after = Array.from({ length: 10 }, () => testEnvelope(type))
      await Promise.all(after.map((event) => bus.publish(event)))
      const all = [...before, ...after]
      await waitFor('every event', () => all.every((e) => inbox.has(e.id)), 30_000)
      expect(inbox.size).toBe(all.length)
    } finally {
      await bus.close()
      await nats.destroy()
    }
  })
})

describe('NATS JetStream bus and a server restarted while events flow', () => {
  it('delivers every acknowledged event to every consumer', async () => {
    // With interest retention (an event deleted once every consumer acked it), Debian's
    // nats-server 2.9.10 came back from a stop amid publishes and acks at an older last
    // sequence, gave the next events sequences its consumers had already passed, and they
    // skipped them: events acknowledged to the publisher, never delivered.
    const nats = await startPrivateNats()
    const bus = privateBus(nats, 'flowing', {
      publishTimeoutMs: 2_000, // a publish in flight at the stop is tried again sooner
    })
    let publishing = true
    try {
      const type = `w${run}.heard`
      const consumersOf = ['first', 'second'].map((name) => `flowing-${name}-${run}`)
      const heard = new Map(consumersOf.map((consumer) => [consumer, new Set<string>()]))
      for (const consumer of consumersOf) {
        await bus.subscribe({
          consumer,
          types: [type],
          handle: async (envelope) => void heard.get(consumer)!.add(envelope.id),
        })
      }
      const acknowledged: string[] = []
      // Five publishers, each publishing again what was not acknowledged, as the outbox does.
      const publishers = Array.from({ length: 5 }, async () => {
        while (publishing) {
          const event = testEnvelope(type)
          while (publishing) {
            const ok = await bus.publish(event).then(
              () => true,
              () => false,
            )
            if (ok) {
              acknowledged.push(event.id)
              break
            }
            await sleep(100)
          }
          await sleep(5)
        }
      })
      for (let restart = 0; restart < 4; restart++) {
        const before = acknowledged.length
        await waitFor('events published', () => acknowledged.length >= before + 100, 30_000)
        await nats.crash()
        await nats.start()
      }
      await waitFor('events published', () => acknowledged.length >= 500, 30_000)
      publishing = false
      await Promise.all(publishers)
      const missed = () =>
        [...heard.values()].map((ids) => acknowledged.filter((id) => !ids.has(id)).length)
      await waitFor(
        'every event heard by every consumer',
        () => missed().every((n) => n === 0),
        30_000,
      ).catch(() => {})
      expect(missed()).toEqual(consumersOf.map(() => 0))
    } finally {
      publishing = false
      await bus.close()
      await nats.destroy()
    }
  }, 180_000)
})

describe('NATS JetStream bus and a consumer the server lost', () => {
  it('declares it again from the first event the stream keeps, so none published meanwhile is skipped', async () => {
    const nats = await startPrivateNats()
    const bus = privateBus(nats, 'lost')
    const { nc, jsm } = await manager(new URL(nats.url).host)
    try {
      const lostNames = natsNamesOf(`lost.${run}`)
      const type = `l${run}.kept`
      const consumer = `lost-${run}`
      const heard: string[] = []
      await bus.subscribe({
        consumer,
        types: [type],
        handle: async (envelope) => void heard.push(envelope.id),
      })
      const before = testEnvelope(type)
      await bus.publish(before)
      await waitFor('the event before', () => heard.includes(before.id))
      // The server loses the consumer (its state gone, the stream kept); events go on.
      await jsm.consumers.delete(lostNames.stream, lostNames.durable(consumer))
      const meanwhile = Array.from({ length: 5 }, () => testEnvelope(type))
      for (const event of meanwhile) await bus.publish(event)
      await nc.close()
      // The bus finds out at its next reconnect and declares the consumer again.
      await nats.crash()
      await nats.start()
      await waitFor(
        'every event published while the consumer was missing',
        () => meanwhile.every((e) => heard.includes(e.id)),
        30_000,
      )
      // From the stream's first event: the one before comes again (the inbox would drop it).
      expect(heard.filter((id) => id === before.id).length).toBeGreaterThanOrEqual(1)
    } finally {
      await nc.close().catch(() => {})
      await bus.close()
      await nats.destroy()
    }
  })
})

describe('NATS JetStream bus and a server back without its store', () => {
  it('declares its stream and consumers again after the reconnect, and delivers again', async () => {
    const nats = await startPrivateNats()
    const bus = privateBus(nats, 'fresh')
    try {
      const type = `f${run}.seen`
      const seen = new Set<string>()
      await bus.subscribe({
        consumer: `fresh-${run}`,
        types: [type],
        handle: async (envelope) => void seen.add(envelope.id),
      })
      const first = testEnvelope(type)
      await bus.publish(first)
      await waitFor('the first event', () => seen.has(first.id))

      await nats.kill()
      nats.wipe() // a server without a persistent volume: nothing of the bus is left on it
      await nats.start()
      await waitFor(
        'the bus to reconnect',
        () =>
          bus.check().then(
            () => true,
            () => false,
          ),
        15_000,
      )
      const after = testEnvelope(type)
      // Published once the stream is back; until then a publish is refused (no stream), so the
      // outbox would keep the event and try again, as this loop does.
      await waitFor(
        'a publish to be acknowledged',
        () =>
          bus.publish(after).then(
            () => true,
            () => false,
          ),
        15_000,
      )
      await waitFor('the event after the restart', () => seen.has(after.id), 15_000)
    } finally {
      await bus.close()
      await nats.destroy()
    }
  })
})
