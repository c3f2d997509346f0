import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import amqp from 'amqplib'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import { PermanentError } from '../errors.js'
import { testServers } from '../testing/test-databases.js'
import type { EventBus } from './bus.js'
import {
  conformanceRetry,
  describeBusConformance,
  sleep,
  testEnvelope,
  waitFor,
} from './bus-conformance.js'
import { createRabbitMqBus, type RabbitMqBusOptions } from './rabbitmq-bus.js'
import { deleteRabbitMqTopology } from '../testing/rabbitmq-cleanup.js'

// Names of this run only, so parallel runs on the shared vhost never see each other.
const run = randomBytes(4).toString('hex')
const exchange = `test.${run}`
const url = testServers.rabbitmq
const silent = pino({ level: 'silent' })

/** Deletes every queue the bus declares for these consumers, then the run's exchange. */
async function deleteTopology(consumers: readonly string[], extraQueues: string[] = []) {
  if (extraQueues.length > 0) {
    const connection = await amqp.connect(url)
    const channel = await connection.createChannel()
    for (const queue of extraQueues) await channel.deleteQueue(queue)
    await connection.close()
  }
  await deleteRabbitMqTopology({ url, exchange, consumers, delaysMs: conformanceRetry.delaysMs })
}

const newBus = (options: Partial<RabbitMqBusOptions> = {}) =>
  createRabbitMqBus({
    url,
    exchange,
    retry: conformanceRetry,
    log: silent,
    registry: new Registry(),
    reconnectSeconds: 0.5,
    ...options,
  })

describeBusConformance('RabbitMQ bus', ({ retry }) => newBus({ retry }), {
  cleanup: (consumers) => deleteTopology(consumers),
})

describe('RabbitMQ bus', () => {
  const consumers: string[] = []
  const extraQueues: string[] = []
  const buses: EventBus[] = []
  const consumerName = (label: string) => {
    const name = `rabbit-${run}-${label}`
    consumers.push(name)
    return name
  }
  const open = (options: Partial<RabbitMqBusOptions> = {}) => {
    const bus = newBus(options)
    buses.push(bus)
    return bus
  }
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()))
    await deleteTopology(consumers, extraQueues)
  })

  it('publishes persistent JSON messages with id, type and trace context', async () => {
    const bus = open()
    const type = `r${run}.inspected`
    const connection = await amqp.connect(url)
    const channel = await connection.createChannel()
    await channel.assertExchange(exchange, 'topic', { durable: true })
    const { queue } = await channel.assertQueue('', { exclusive: true })
    await channel.bindQueue(queue, exchange, type)
    const event = {
      ...testEnvelope(type),
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    }
    await bus.publish(event)
    const message = await channel.get(queue, { noAck: true })
    await connection.close()
    if (!message) throw new Error('published message not routed')
    expect(message.fields.routingKey).toBe(type)
    expect(message.properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      messageId: event.id,
      type,
    })
    expect(message.properties.headers?.traceparent).toBe(event.traceparent)
    expect(JSON.parse(message.content.toString())).toEqual(event)
  })

  it('rejects a publish the broker refuses (nack), and keeps publishing afterwards', async () => {
    const bus = open()
    const refused = `r${run}.refused`
    const full = `rabbit-${run}-full`
    extraQueues.push(full)
    const connection = await amqp.connect(url)
    const channel = await connection.createChannel()
    await channel.assertExchange(exchange, 'topic', { durable: true })
    // A queue that takes nothing and says so: the broker nacks every message routed to it.
    await channel.assertQueue(full, { maxLength: 0, arguments: { 'x-overflow': 'reject-publish' } })
    await channel.bindQueue(full, exchange, refused)
    await connection.close()
    await expect(bus.publish(testEnvelope(refused))).rejects.toMatchObject({
      code: 'BUS.PUBLISH_FAILED',
    })
    await expect(bus.publish(testEnvelope(`r${run}.accepted`))).resolves.toBeUndefined()
  })

  it('does not resolve a publish while the broker is unreachable', async () => {
    const bus = open({ url: 'amqp://guest:guest@127.0.0.1:1/', publishTimeoutMs: 300 })
    await expect(bus.check()).rejects.toMatchObject({ code: 'BUS.DISCONNECTED' })
    const started = Date.now()
    await expect(bus.publish(testEnvelope(`r${run}.lost`))).rejects.toMatchObject({
      code: 'BUS.PUBLISH_FAILED',
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    await expect(bus.deadLetters.list('any')).rejects.toMatchObject({ code: 'BUS.DISCONNECTED' })
  })

  it('acks what it handled before close(): the next process gets only new events', async () => {
    const consumer = consumerName('handover')
    const type = `r${run}.handed`
    const first = open()
    const handledFirst: string[] = []
    await first.subscribe({
      consumer,
      types: [type],
      handle: async (e) => void handledFirst.push(e.id),
    })
    for (let i = 0; i < 5; i++) await first.publish(testEnvelope(type))
    await waitFor('the first process to handle 5', () => handledFirst.length === 5)
    await first.close()

    const second = open()
    const handledSecond: string[] = []
    await second.subscribe({
      consumer,
      types: [type],
      handle: async (e) => void handledSecond.push(e.id),
    })
    const fresh = testEnvelope(type)
    await second.publish(fresh)
    await waitFor('the second process to handle the new event', () => handledSecond.length === 1)
    await sleep(200)
    expect(handledSecond).toEqual([fresh.id])
  })

  it('resumes publishing and consuming after the broker drops its connection, losing nothing', async () => {
    const connectionName = `emporium-test-${run}-restart`
    const logs: { msg: string }[] = []
    const log = pino(
      { level: 'info' },
      { write: (line: string) => void logs.push(JSON.parse(line)) },
    )
    const bus = open({ connectionName, log })
    const consumer = consumerName('restart')
    const type = `r${run}.survived`
    const inbox = new Set<string>()
    let deliveries = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let heldDeliveries = 0
    await bus.subscribe({
      consumer,
      types: [type],
      async handle(envelope) {
        deliveries++
        if ((envelope.data as { hold?: boolean }).hold && !inbox.has(envelope.id)) {
          heldDeliveries++
          await gate // still running when its channel dies
        }
        inbox.add(envelope.id)
      },
    })
    const connected = () =>
      bus.check().then(
        () => true,
        () => false,
      )
    const before = Array.from({ length: 10 }, () => testEnvelope(type))
    await Promise.all(before.map((e) => bus.publish(e)))
    await waitFor('the first events', () => before.every((e) => inbox.has(e.id)))
    const held = testEnvelope(type, { hold: true })
    await bus.publish(held)
    await waitFor('the held event to be in its handler', () => heldDeliveries === 1)

    closeConnectionFromBroker(connectionName)
    await waitFor('the bus to notice', async () => !(await connected()), 2_000)
    // Published while the connection is down: they wait for the reconnect and its confirms.
    const during = Array.from({ length: 10 }, () => testEnvelope(type))
    const publishing = Promise.all(during.map((e) => bus.publish(e)))
    // The new channel redelivers the held event while its first handler still runs; that
    // handler's ack must not land on the new channel, where its delivery tag means nothing
    // (the broker would close the channel) or another message (acking one never handled).
    await waitFor('the redelivery', () => heldDeliveries === 2, 10_000)
    release()
    await publishing
    const after = Array.from({ length: 10 }, () => testEnvelope(type))
    await Promise.all(after.map((e) => bus.publish(e)))

    const all = [...before, held, ...during, ...after]
    await waitFor('every event', () => all.every((e) => inbox.has(e.id)), 10_000)
    await sleep(700) // longer than a channel repair would wait, had a stale ack broken one
    expect(inbox.size).toBe(all.length)
    // The held event was redelivered once on the new channel (its first ack had nowhere to go).
    expect(deliveries).toBe(all.length + 1)
    const messages = logs.map((l) => l.msg)
    expect(messages.filter((m) => m === 'bus connected to RabbitMQ')).toHaveLength(2)
    expect(messages).not.toContain('bus channel error')
    expect(messages).not.toContain('bus channel lost while connected; reconnecting to rebuild it')
  })

  it('reports handled messages, dead letters and queue depth on scrape', async () => {
    const registry = new Registry()
    const bus = open({ registry })
    const consumer = consumerName('metrics')
    const type = `r${run}.measured`
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
    expect(text).toContain(`bus_handler_duration_seconds_count{consumer="${consumer}"} 2`)
    expect(text).toContain(`bus_dead_letters{consumer="${consumer}"} 1`)
    expect(text).toContain(`bus_queue_depth{consumer="${consumer}"} 0`)
    expect(text).toContain('bus_connected 1')
  })
})

/** Closes our connection on the broker's side only (others share the vhost), as a restart would. */
function closeConnectionFromBroker(connectionName: string): void {
  const listing = execFileSync(
    'rabbitmqctl',
    ['-q', 'list_connections', '--no-table-headers', 'pid', 'client_properties'],
    { encoding: 'utf8', timeout: 30_000 },
  )
  const line = listing.split('\n').find((l) => l.includes(`"${connectionName}"`))
  if (!line) throw new Error(`connection ${connectionName} not found:\n${listing}`)
  const pid = line.split('\t')[0]!
  execFileSync('rabbitmqctl', ['-q', 'close_connection', pid, 'test: broker went away'], {
    timeout: 30_000,
  })
}
