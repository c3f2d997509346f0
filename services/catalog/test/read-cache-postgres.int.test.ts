import { randomUUID } from 'node:crypto'
import { catalog as events } from '@emporium/contracts'
import {
  createInProcessBus,
  createOutbox,
  openDatabase,
  startService,
  type Database,
  type EventBus,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCatalogService, loadCatalogConfig, type CatalogService } from '../src/service.js'
import { createTestTokens } from './test-tokens.js'

/*
 * The read cache across two replicas of the catalog on one PostgreSQL database (issue 20): a
 * change made through one is seen through the other once it hears the commit (a few ms; the
 * target is 1 s, asserted loosely here: the machine is shared), a transaction that took an
 * earlier outbox number and commits late too, and the validators.
 */
const log = pino({ level: 'silent' })
const tokens = createTestTokens()
const admin = `Bearer ${tokens.token(['customer', 'admin'])}`
const visibleWithinMs = 5_000

interface Replica {
  service: CatalogService
  running: RunningService
  database: Database
  bus: EventBus
  close(): Promise<void>
}

async function replica(testDb: TestDatabase, own: boolean): Promise<Replica> {
  const database = own ? await openDatabase(testDb.url) : testDb.database
  const config = loadCatalogConfig({
    CATALOG_DATABASE_URL: testDb.url,
    CATALOG_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    LOG_LEVEL: 'silent',
    // A minute between the looks it takes whatever it hears: what the other replica changes is
    // seen here through the notification of its commit (migration 011's trigger) alone.
    CATALOG_CACHE_QUIET_POLL_MS: '60000',
  })
  const service = await createCatalogService(config, {
    log,
    database,
    verifier: tokens.verifier,
    expiryIntervalMs: 0,
  })
  const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
  const running = await startService(service, { port: 0, log, bus })
  return {
    service,
    running,
    database,
    bus,
    async close() {
      await running.stopHttp()
      await running.stopRelay()
      await running.close()
      await bus.close()
      if (own) await database.close()
    },
  }
}

async function get(at: Replica, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${at.running.url}${path}`, { headers })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} }
}

async function send(at: Replica, method: string, path: string, body: unknown) {
  const response = await fetch(`${at.running.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: admin },
    body: JSON.stringify(body),
  })
  const answer = await response.json()
  expect(response.status, JSON.stringify(answer)).toBeLessThan(300)
  return answer
}

/** How long until `read` holds, polled; fails past the margin. */
async function delayUntil(read: () => Promise<boolean>): Promise<number> {
  const started = Date.now()
  while (!(await read())) {
    if (Date.now() - started > visibleWithinMs) throw new Error('never seen')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return Date.now() - started
}

describe('catalog read cache across two replicas on postgres', () => {
  let testDb: TestDatabase
  let a: Replica
  let b: Replica
  const categoryId = randomUUID()

  async function product(name: string) {
    return (await send(a, 'POST', '/products', {
      sku: `RC-${randomUUID().slice(0, 8)}`,
      name,
      description: 'Cached.',
      price: { amount: 1000, currency: 'USD' },
      categoryId,
      onHand: 10,
    })) as { id: string }
  }

  const listed = async (at: Replica, id: string) =>
    (await get(at, `/products?limit=100&categoryId=${categoryId}`)).body.items.find(
      (item: { id: string }) => item.id === id,
    )

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
    a = await replica(testDb, false)
    b = await replica(testDb, true)
    await testDb.database.db
      .insertInto('categories')
      .values({ id: categoryId, slug: 'cached', name: 'Cached' })
      .execute()
  })

  afterAll(async () => {
    await b?.close()
    await a?.close()
    await testDb?.drop()
  })

  it('serves a read from the cache: a change behind its back is not seen', async () => {
    const lamp = await product('Cached lamp')
    await b.service.pollOutbox() // B has heard of it: nothing empties its cache below
    expect((await listed(b, lamp.id))?.name).toBe('Cached lamp')
    expect((await get(b, `/products/${lamp.id}`)).body.name).toBe('Cached lamp')
    // No event: a hand edit of the table. The cache answers what it holds.
    await testDb.database.db
      .updateTable('products')
      .set({ name: 'Edited by hand' })
      .where('id', '=', lamp.id)
      .execute()
    expect((await listed(b, lamp.id))?.name).toBe('Cached lamp')
    // Other services (orders' authoritative price) read fresh.
    const internal = { 'x-service-authorization': 'Bearer service' }
    expect((await get(b, `/products/${lamp.id}`)).body.name).toBe('Cached lamp')
    expect((await get(b, `/products/${lamp.id}`, internal)).body.name).toBe('Edited by hand')
  })

  it("sees a price and a stock change made through the other replica within the tail's poll", async () => {
    const chair = await product('Cached chair')
    // B learns of the new product as of any change, then caches it.
    await delayUntil(async () => (await listed(b, chair.id))?.price.amount === 1000)
    expect((await get(b, `/products/${chair.id}`)).body.available).toBe(10)
    await send(a, 'PATCH', `/products/${chair.id}`, { price: { amount: 1500, currency: 'USD' } })
    const priced = await delayUntil(async () => (await listed(b, chair.id))?.price.amount === 1500)
    await send(a, 'PUT', `/products/${chair.id}/stock`, { onHand: 4 })
    const stocked = await delayUntil(
      async () => (await get(b, `/products/${chair.id}`)).body.available === 4,
    )
    // A checkout's reservation (an event consumer's transaction on A) moves availability too.
    await a.service.reserveStock(randomUUID(), [{ productId: chair.id, quantity: 3 }])
    const reserved = await delayUntil(async () => (await listed(b, chair.id))?.available === 1)
    // Loosely: the poll is 200 ms and the target 1 s; a busy CI machine gets the margin.
    for (const ms of [priced, stocked, reserved]) expect(ms).toBeLessThan(visibleWithinMs)
  })

  it("sees a received return's restocked units (stock.restocked) through the other replica", async () => {
    const mug = await product('Returned mug')
    await delayUntil(async () => (await listed(b, mug.id))?.available === 10)
    const orderId = randomUUID()
    await a.bus.publish({
      id: randomUUID(),
      type: 'return.received',
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'orders',
      correlationId: randomUUID(),
      causationId: null,
      data: {
        returnId: randomUUID(),
        orderId,
        userId: randomUUID(),
        at: new Date().toISOString(),
        lines: [{ productId: mug.id, quantity: 2, restock: true }],
      },
    })
    await delayUntil(async () => (await listed(b, mug.id))?.available === 12)
    const rows = await testDb.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'stock.restocked')
      .execute()
    const restocked = rows.map((r: { payload: string }) => JSON.parse(r.payload).data)
    expect(restocked).toContainEqual({ orderId, lines: [{ productId: mug.id, quantity: 2 }] })
  })

  it('reads its own writes on the replica that made them', async () => {
    const desk = await product('Cached desk')
    expect((await get(a, `/products/${desk.id}`)).body.name).toBe('Cached desk')
    await send(a, 'PATCH', `/products/${desk.id}`, { name: 'Renamed desk' })
    expect((await get(a, `/products/${desk.id}`)).body.name).toBe('Renamed desk')
  })

  it('sees a transaction that took an earlier outbox number and committed late', async () => {
    const late = await product('Late lamp')
    const other = await product('Other lamp')
    let commit: () => void = () => {}
    const held = new Promise<void>((resolve) => (commit = resolve))
    let written: () => void = () => {}
    const wrote = new Promise<void>((resolve) => (written = resolve))
    const outbox = createOutbox({ source: 'catalog' })
    const transaction = testDb.database.transaction(async (trx) => {
      await trx
        .updateTable('products')
        .set({ name: 'Late rename' })
        .where('id', '=', late.id)
        .execute()
      await outbox.add(trx, events.ProductDeleted, { productId: randomUUID() })
      written()
      await held
    })
    await wrote
    // A later number commits first; B moves past it, and caches what it reads then.
    await send(a, 'PATCH', `/products/${other.id}`, { name: 'Other renamed' })
    await b.service.pollOutbox()
    expect((await listed(b, other.id))?.name).toBe('Other renamed')
    expect((await listed(b, late.id))?.name).toBe('Late lamp')
    commit()
    await transaction
    const ms = await delayUntil(async () => (await listed(b, late.id))?.name === 'Late rename')
    expect(ms).toBeLessThan(visibleWithinMs)
  })

  it('answers with validators: a strong etag the same on both replicas, 304, cache-control', async () => {
    const path = `/products?limit=5&categoryId=${categoryId}`
    // Both replicas hold the same data now (wait out the tail).
    await delayUntil(
      async () =>
        (await get(a, path)).headers.get('etag') === (await get(b, path)).headers.get('etag'),
    )
    const first = await get(b, path)
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    expect(first.headers.get('cache-control')).toBe('public, no-cache')
    expect(first.headers.get('vary')).toMatch(/authorization/)
    const revalidated = await fetch(`${b.running.url}${path}`, {
      headers: { 'if-none-match': `"nope", W/${etag}` },
    })
    expect(revalidated.status).toBe(304)
    expect(revalidated.headers.get('etag')).toBe(etag)
    const signedIn = await get(b, path, { authorization: admin })
    expect(signedIn.headers.get('cache-control')).toBe('private, no-cache')
    const anything = await fetch(`${b.running.url}/categories`, {
      headers: { 'if-none-match': '*' },
    })
    expect(anything.status).toBe(304)
    // A change makes the old tag stale: a full answer again.
    await product('Newer lamp')
    await delayUntil(async () => (await get(b, path, { 'if-none-match': etag })).status === 200)
  })

  it('lets staff read drafts fresh, never from the cache', async () => {
    const draft = await product('Draft vase')
    await send(a, 'PATCH', `/products/${draft.id}`, { status: 'draft' })
    await delayUntil(async () => (await get(b, `/products/${draft.id}`)).status === 404)
    expect((await get(b, `/products/${draft.id}`, { authorization: admin })).status).toBe(200)
    expect((await get(b, `/products/${draft.id}`)).status).toBe(404)
  })
})
