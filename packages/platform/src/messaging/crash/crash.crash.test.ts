import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import amqp from 'amqplib'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPrivateNats, startPrivateRabbitMq } from '../../testing/private-servers.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-databases.js'

// Real processes, killed with SIGKILL at random moments and restarted, over real PostgreSQL
// and RabbitMQ or NATS JetStream: every state change's event must take effect exactly once at
// the consumer. The broker is a server of this test's own (it is restarted), never the machine's.
const TOTAL = Number(process.env.CRASH_TOTAL ?? 5_000)
const here = fileURLToPath(new URL('.', import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min))

class Proc {
  child?: ChildProcess
  output = ''
  starts = 0
  kills = 0
  constructor(
    private readonly file: string,
    private readonly env: Record<string, string>,
  ) {}
  /** Output length when last started: a ready marker after it means this run is ready. */
  private startedAt = 0
  start() {
    this.starts++
    this.startedAt = this.output.length
    const child = spawn(process.execPath, ['--import', 'tsx', `${here}${this.file}`], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()))
    this.child = child
  }
  get running() {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    )
  }
  async kill() {
    if (!this.running) return
    const exited = new Promise((r) => this.child!.once('exit', r))
    this.child!.kill('SIGKILL')
    this.kills++
    await exited
  }
  async waitFor(text: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs
    while (!this.output.includes(text, this.startedAt)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}":\n${this.output}`)
      await sleep(50)
    }
  }
}

interface Broker {
  url: string
  restart(): Promise<void>
  destroy(): Promise<void>
}

/** A RabbitMQ node of the test's own, its app stopped and started again for the restart. */
async function privateRabbitMq(exchange: string, consumer: string): Promise<Broker> {
  const node = await startPrivateRabbitMq()
  return {
    url: node.url,
    async restart() {
      await node.stopApp()
      await sleep(1_000)
      await node.startApp()
    },
    async destroy() {
      try {
        const connection = await amqp.connect(node.url)
        const channel = await connection.createChannel()
        for (const queue of [
          consumer,
          `${consumer}.dlq`,
          ...[0, 1, 2, 3, 4, 5].map((n) => `${consumer}.retry.${n}`),
        ]) {
          await channel.deleteQueue(queue)
        }
        await channel.deleteExchange(exchange)
        await connection.close()
      } finally {
        await node.stop()
      }
    },
  }
}

/**
 * A nats-server of the test's own (its own store folder), killed with SIGKILL to restart, or
 * stopped with SIGTERM when it does not fsync before acknowledging (nats-server before 2.10):
 * a SIGKILL then loses messages the server acknowledged, which no client can make up for.
 */
async function privateNats(): Promise<Broker> {
  const server = await startPrivateNats()
  return {
    url: server.url,
    async restart() {
      await server.crash()
      await sleep(1_000)
      await server.start()
    },
    destroy: () => server.destroy(),
  }
}

describe.each([
  { name: 'producer and consumer killed at random', nats: false, restartBroker: false },
  { name: 'the same, with RabbitMQ restarted in the middle', nats: false, restartBroker: true },
  {
    name: 'the same on NATS JetStream, its server killed (SIGKILL; SIGTERM before 2.10) and restarted in the middle',
    nats: true,
    restartBroker: true,
  },
])('crash test: $name', ({ nats, restartBroker }) => {
  const id = randomBytes(4).toString('hex')
  const exchange = `crash.${id}`
  const consumer = `crash-consumer-${id}`
  const databases: TestDatabase[] = []
  const procs: Proc[] = []
  let broker: Broker | undefined

  beforeAll(async () => {
    broker = nats ? await privateNats() : await privateRabbitMq(exchange, consumer)
  })

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()))
    await Promise.all(databases.map((d) => d.drop()))
    await broker?.destroy()
  })

  it(`applies exactly ${TOTAL} effects, once each, and leaves no unsent outbox row`, async () => {
    const producerDb = await createTestDatabase('postgres')
    const consumerDb = await createTestDatabase('postgres')
    databases.push(producerDb, consumerDb)
    // We kill our processes, not PostgreSQL: waiting for each commit's fsync would only make
    // the run slow, it guards against nothing this test does.
    for (const db of [producerDb, consumerDb]) {
      const name = new URL(db.url).pathname.slice(1)
      await sql.raw(`alter database ${name} set synchronous_commit to off`).execute(db.database.db)
    }
    const common = { RABBITMQ_URL: broker!.url, EXCHANGE: exchange, LOG_LEVEL: 'error' }
    const consumerProc = new Proc('consumer.ts', {
      ...common,
      DATABASE_URL: consumerDb.url,
      CONSUMER: consumer,
    })
    const producerProc = new Proc('producer.ts', {
      ...common,
      DATABASE_URL: producerDb.url,
      TOTAL: String(TOTAL),
    })
    procs.push(consumerProc, producerProc)

    // The consumer's queue (durable consumer) must exist before anything is published.
    consumerProc.start()
    await consumerProc.waitFor('ready')
    producerProc.start()

    const count = async (db: TestDatabase, query: string) =>
      Number((await sql.raw<{ c: number }>(query).execute(db.database.db)).rows[0]!.c)
    const produced = () => count(producerDb, 'select count(*) as c from changes').catch(() => 0)

    let brokerRestarted = false
    const chaosDeadline = Date.now() + 240_000
    while ((await produced()) < TOTAL || producerProc.kills < 3 || consumerProc.kills < 3) {
      if (Date.now() > chaosDeadline)
        throw new Error(`chaos phase timed out at ${await produced()} changes`)
      // Kill a process at a random moment of its working life, not while it is still starting.
      const victim = Math.random() < 0.5 ? producerProc : consumerProc
      await victim.waitFor('ready', 60_000).catch(() => undefined)
      await sleep(between(100, 2_000))
      await victim.kill()
      await sleep(between(50, 400))
      victim.start()
      if (restartBroker && !brokerRestarted && (await produced()) >= TOTAL / 2) {
        brokerRestarted = true
        await broker!.restart()
      }
    }
    if (restartBroker) expect(brokerRestarted).toBe(true)
    if (!producerProc.running) producerProc.start()
    if (!consumerProc.running) consumerProc.start()

    // Quiet phase: everything drains.
    const drainDeadline = Date.now() + 180_000
    for (;;) {
      const unsent = await count(
        producerDb,
        'select count(*) as c from outbox where sent_at is null',
      )
      const effects = await count(consumerDb, 'select count(*) as c from effects')
      if (unsent === 0 && effects >= TOTAL) break
      if (Date.now() > drainDeadline) {
        throw new Error(
          `not drained: ${unsent} unsent, ${effects} effects\n${producerProc.output}\n${consumerProc.output}`,
        )
      }
      await sleep(250)
    }
    await sleep(1_500) // a late duplicate would land now

    expect(await count(producerDb, 'select count(*) as c from changes')).toBe(TOTAL)
    expect(await count(producerDb, 'select count(*) as c from outbox where sent_at is null')).toBe(
      0,
    )
    expect(await count(consumerDb, 'select count(*) as c from effects')).toBe(TOTAL)
    expect(await count(consumerDb, 'select count(distinct n) as c from effects')).toBe(TOTAL)
    expect(await count(consumerDb, 'select count(distinct event_id) as c from effects')).toBe(TOTAL)
    expect(producerProc.kills).toBeGreaterThanOrEqual(3)
    expect(consumerProc.kills).toBeGreaterThanOrEqual(3)
  }, 600_000)
})
