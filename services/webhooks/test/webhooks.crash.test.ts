import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { sql } from 'kysely'
import { pino } from 'pino'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { catalog, EventData, EventEnvelope } from '@emporium/contracts'
import { createRabbitMqBus, type EventBus } from '@emporium/platform'
import {
  createTestDatabase,
  reservePort,
  testServers,
  type TestDatabase,
} from '@emporium/platform/testing'

// Issue 21, "nothing lost": the webhooks service as its own process, SIGKILLed again and again
// (some kills while a delivery is waiting on the receiver) while 1,000 events reach it through
// RabbitMQ. Every event must reach the receiver at least once, every request must carry a valid
// Standard Webhooks signature, and a repeated delivery must carry the same `webhook-id`. The
// broker is the machine's, in a vhost of this run's own; the database is a fresh one.
const TOTAL = 1_000
const MIN_KILLS = 6
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const run = promisify(execFile)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min))
const silent = pino({ level: 'silent' })

/** One request the receiver got, and how it ended. */
interface Request {
  webhookId: string
  productId: string
  verified: boolean
  status: number
  /** The answer was written in full; false: the sender went away first (killed). */
  answered: boolean
}

/**
 * A partner's endpoint: verifies every request's signature with the endpoint's secret as a
 * partner would, answers 500 to a few percent and keeps some waiting (so attempts are in flight
 * when the service dies), and records how each request ended.
 */
async function startPartner() {
  const requests: Request[] = []
  const partner = { secret: '', pending: 0, requests, url: '', close: async () => {} }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const header = (name: string) => String(request.headers[name])
      let verified = true
      try {
        new Webhook(partner.secret).verify(body, {
          'webhook-id': header('webhook-id'),
          'webhook-timestamp': header('webhook-timestamp'),
          'webhook-signature': header('webhook-signature'),
        })
      } catch {
        verified = false
      }
      const roll = Math.random()
      const entry: Request = {
        webhookId: header('webhook-id'),
        productId: String((JSON.parse(body) as { data?: { productId?: string } }).data?.productId),
        verified,
        status: roll < 0.03 ? 500 : 200,
        answered: false,
      }
      requests.push(entry)
      partner.pending += 1
      response.on('close', () => {
        partner.pending -= 1
        entry.answered = response.writableFinished
      })
      const answer = () => {
        if (response.destroyed) return
        response.writeHead(entry.status).end(entry.status === 200 ? 'ok' : 'try again')
      }
      // Well within WEBHOOKS_TIMEOUT_MS: a request cut short was cut by a kill, not a timeout.
      if (roll > 0.92) setTimeout(answer, between(200, 1_000))
      else answer()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  partner.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  partner.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return partner
}

/** The users service's part: a JWKS over HTTP and an owner's access token signed by its key. */
async function startTokenIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'crash-1', alg: 'EdDSA', use: 'sig' }
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const owner = await new SignJWT({ roles: ['customer', 'owner'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'crash-1' })
    .setSubject(randomUUID())
    .setIssuer('emporium-users')
    .setAudience('emporium')
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('30m')
    .sign(privateKey)
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    owner: `Bearer ${owner}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** `npm run start -w services/webhooks`, restartable; keeps what every run printed. */
class ServiceProcess {
  child?: ChildProcess
  output = ''
  kills = 0
  constructor(private readonly env: Record<string, string>) {}
  start() {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()))
    this.child = child
  }
  get running() {
    return this.child?.exitCode === null && this.child.signalCode === null
  }
  async kill() {
    if (!this.running) return
    const exited = new Promise((resolve) => this.child!.once('exit', resolve))
    this.child!.kill('SIGKILL')
    this.kills += 1
    await exited
  }
  /** Until it answers `/healthz`: migrated, subscribed to its queue, dispatching, listening. */
  async ready(url: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (!this.running) throw new Error(`webhooks service exited:\n${this.output}`)
      const ok = await fetch(`${url}/healthz`).then(
        (response) => response.ok,
        () => false,
      )
      if (ok) return
      if (Date.now() > deadline) throw new Error(`webhooks service not ready:\n${this.output}`)
      await sleep(100)
    }
  }
}

describe('webhooks crash test: the service killed again and again during 1,000 events', () => {
  const vhost = `webhooks_crash_${randomBytes(4).toString('hex')}`
  const amqp = new URL(testServers.rabbitmq)
  amqp.pathname = `/${vhost}`
  let testDb: TestDatabase | undefined
  let bus: EventBus | undefined
  let service: ServiceProcess | undefined
  let partner: Awaited<ReturnType<typeof startPartner>> | undefined
  let issuer: Awaited<ReturnType<typeof startTokenIssuer>> | undefined

  beforeAll(async () => {
    const user = decodeURIComponent(new URL(testServers.rabbitmq).username)
    await run('rabbitmqctl', ['add_vhost', vhost], { timeout: 60_000 })
    await run('rabbitmqctl', ['set_permissions', '-p', vhost, user, '.*', '.*', '.*'], {
      timeout: 60_000,
    })
  })

  afterAll(async () => {
    await service?.kill()
    await bus?.close()
    await partner?.close()
    await issuer?.close()
    await testDb?.drop()
    await run('rabbitmqctl', ['delete_vhost', vhost], { timeout: 60_000 }).catch(() => undefined)
  })

  it(`delivers each of ${TOTAL} events at least once, signed, one webhook-id per event`, async () => {
    testDb = await createTestDatabase('postgres')
    // The process is killed, not PostgreSQL: a commit's fsync guards against nothing here.
    const dbName = new URL(testDb.url).pathname.slice(1)
    await sql
      .raw(`alter database ${dbName} set synchronous_commit to off`)
      .execute(testDb.database.db)
    partner = await startPartner()
    issuer = await startTokenIssuer()
    const port = await reservePort()
    const api = `http://127.0.0.1:${port}`
    const proc = new ServiceProcess({
      WEBHOOKS_DATABASE_URL: testDb.url,
      WEBHOOKS_PORT: String(port),
      WEBHOOKS_HOST: '127.0.0.1',
      WEBHOOKS_JWKS_URL: issuer.jwksUrl,
      WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOKS_DISPATCH_INTERVAL_MS: '100',
      WEBHOOKS_LEASE_MS: '4000',
      WEBHOOKS_TIMEOUT_MS: '2000',
      // Kills spend attempts too (one is counted when a delivery is claimed): room for many.
      WEBHOOKS_RETRY_DELAYS_MS: '200,400,800,1000,1000,1000,1000,1000,1000,1000,1000,1000',
      WEBHOOKS_BREAKER_COOLDOWN_MS: '500',
      WEBHOOKS_BATCH_SIZE: '25',
      RABBITMQ_URL: amqp.toString(),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    })
    service = proc
    proc.start()
    await proc.ready(api)

    const registered = await fetch(`${api}/webhooks/endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: issuer.owner },
      body: JSON.stringify({ url: partner.url, eventTypes: ['product.updated'] }),
    })
    const endpoint = (await registered.json()) as { id: string; secret: string }
    expect(registered.status, JSON.stringify(endpoint)).toBe(201)
    partner.secret = endpoint.secret

    // The events, as the catalog publishes them: each product id names its event.
    bus = createRabbitMqBus({ url: amqp.toString(), log: silent, reconnectSeconds: 0.5 })
    const eventIds = new Map<string, string>()
    const events = Array.from({ length: TOTAL }, (_, n): EventEnvelope => {
      const productId = `crash-product-${n}`
      const data: EventData<typeof catalog.ProductUpdated> = {
        productId,
        sku: `SKU-${n}`,
        name: `Product ${n}`,
        price: { amount: 1_000 + n, currency: 'USD' },
        categoryId: 'crash',
        imageUrl: `/images/${n}.jpg`,
      }
      const id = randomUUID()
      eventIds.set(productId, id)
      return {
        id,
        type: 'product.updated',
        version: 1,
        occurredAt: new Date().toISOString(),
        source: 'catalog',
        correlationId: `crash-${id}`,
        causationId: null,
        data,
      }
    })
    // Spread over the kills: some die while consuming, not only while delivering.
    let published = 0
    const publishing = (async () => {
      for (let i = 0; i < events.length; i += 25) {
        await Promise.all(events.slice(i, i + 25).map((event) => bus!.publish(event)))
        published = Math.min(events.length, i + 25)
        await sleep(600)
      }
    })()

    // Chaos: kill 1.5–3 s into each run; every other kill waits for a request to be in flight.
    let midDeliveryKills = 0
    const chaosDeadline = Date.now() + 240_000
    while (published < TOTAL || proc.kills < MIN_KILLS) {
      if (Date.now() > chaosDeadline) throw new Error(`chaos timed out at ${published} published`)
      await sleep(between(1_500, 3_000))
      if (proc.kills % 2 === 1) {
        const until = Date.now() + 3_000
        while (partner.pending === 0 && Date.now() < until) await sleep(5)
      }
      if (partner.pending > 0) midDeliveryKills += 1
      await proc.kill()
      await sleep(between(50, 300))
      proc.start()
      await proc.ready(api)
    }
    await publishing

    // Quiet: every delivery ends (a 200 answered to a killed sender is sent again at lease end).
    const accepted = () =>
      new Set(
        partner!.requests.filter((r) => r.status === 200 && r.answered).map((r) => r.productId),
      )
    const count = async (status: string) =>
      Number(
        (
          await sql<{
            c: string
          }>`select count(*) as c from webhook_deliveries where status = ${status}`.execute(
            testDb!.database.db,
          )
        ).rows[0]!.c,
      )
    const drainDeadline = Date.now() + 180_000
    while (accepted().size < TOTAL || (await count('pending')) > 0) {
      if (Date.now() > drainDeadline) {
        throw new Error(
          `not drained: ${accepted().size} of ${TOTAL} accepted, ${await count('pending')} pending\n${proc.output}`,
        )
      }
      await sleep(250)
    }

    const { requests } = partner
    const byEvent = new Map<string, Request[]>()
    for (const request of requests) {
      byEvent.set(request.productId, [...(byEvent.get(request.productId) ?? []), request])
    }
    const interrupted = requests.filter((r) => !r.answered)
    const acceptedTwice = [...byEvent.values()].filter(
      (tries) => tries.filter((r) => r.status === 200 && r.answered).length > 1,
    ).length
    const receivedTwice = [...byEvent.values()].filter((tries) => tries.length > 1).length
    process.stdout.write(
      `webhooks crash test: ${TOTAL} events, ${proc.kills} kills (${midDeliveryKills} with a ` +
        `request in flight), ${requests.length} requests, ${interrupted.length} cut short by a ` +
        `kill, ${requests.filter((r) => r.status === 500).length} answered 500; ` +
        `${receivedTwice} events received more than once, ${acceptedTwice} accepted more than once\n`,
    )

    expect(proc.kills).toBeGreaterThanOrEqual(MIN_KILLS)
    // Some kills hit attempts in flight: their events are checked below like every other.
    expect(interrupted.length).toBeGreaterThan(0)
    // Every request is signed with the endpoint's secret.
    expect(requests.filter((r) => !r.verified)).toEqual([])
    // Every event accepted by the partner at least once, and nothing but these events sent.
    expect([...byEvent.keys()].sort()).toEqual([...eventIds.keys()].sort())
    for (const [productId, tries] of byEvent) {
      expect(
        tries.some((r) => r.status === 200 && r.answered),
        productId,
      ).toBe(true)
      // Retries and duplicates carry one webhook-id: the event's id.
      expect(new Set(tries.map((r) => r.webhookId)), productId).toEqual(
        new Set([eventIds.get(productId)]),
      )
    }
    expect(await count('delivered')).toBe(TOTAL)
  })
})
