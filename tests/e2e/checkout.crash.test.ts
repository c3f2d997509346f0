import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { orders as o, payments as p } from '@emporium/contracts'
import { startDistributedPlatform, type DistributedPlatform } from './distributed.js'
import { cards, ShopClient } from './shop-client.js'

// The checkout saga under faults, in the distributed mode: while shoppers place CHECKOUTS
// orders, orders, catalog and payments are each SIGKILLed and restarted at random moments
// (each at least once) and RabbitMQ is restarted once. Afterwards every order has ended, none
// was charged twice, no unit was sold twice or lost, and the ledger reconciles.
const CHECKOUTS = Number(process.env.CRASH_CHECKOUTS ?? 200)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min))

describe('checkout crash test: services killed and the broker restarted mid-flow', () => {
  let platform: DistributedPlatform
  let client: ShopClient
  let adminToken: string

  beforeAll(async () => {
    platform = await startDistributedPlatform()
    client = new ShopClient(platform.api)
    adminToken = (await client.register('admin@e2e.example')).token
  }, 240_000)

  afterAll(async () => {
    await platform?.stop()
  }, 60_000)

  it(`${CHECKOUTS} checkouts all end, never oversold, never charged twice, ledger reconciled`, async () => {
    // Five products with less stock than the orders want, so some sell out.
    const initial = 40
    const products = []
    for (let i = 0; i < 5; i++)
      products.push(await client.createProduct(adminToken, 1000 + i * 111, initial))
    const shoppers = []
    for (let i = 0; i < CHECKOUTS; i += 20) {
      shoppers.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(20, CHECKOUTS - i) }, () => client.register()),
        )),
      )
    }
    for (const [i, shopper] of shoppers.entries()) {
      await client.addToCart(shopper.token, products[i % products.length]!.id, 1 + (i % 2))
    }

    // A client that retries with the same Idempotency-Key until the platform accepts the order,
    // as a storefront does while a service restarts.
    const place = async (token: string, card: string) => {
      const key = randomUUID()
      const deadline = Date.now() + 120_000
      for (;;) {
        const reply = await client.placeOrder(token, card, key).catch(() => undefined)
        if (reply?.status === 202) return reply.body
        if (reply && reply.status < 500 && reply.status !== 429 && reply.status !== 409) {
          throw new Error(`order refused ${reply.status}: ${JSON.stringify(reply.body)}`)
        }
        if (Date.now() > deadline)
          throw new Error(`order not accepted: ${JSON.stringify(reply?.body)}`)
        await sleep(300)
      }
    }
    const mix = [cards.approved, cards.approved, cards.approved, cards.transient, cards.declined]
    const placing = (async () => {
      const placed: o.Order[] = []
      for (let i = 0; i < shoppers.length; i += 8) {
        const batch = shoppers.slice(i, i + 8)
        placed.push(
          ...(await Promise.all(batch.map((s, j) => place(s.token, mix[(i + j) % mix.length]!)))),
        )
        await sleep(between(100, 400))
      }
      return placed
    })()

    // Chaos while the orders flow: each victim SIGKILLed at random moments, twice, in a random
    // order per round, and the broker restarted once between the rounds.
    const victims = ['orders', 'catalog', 'payments'] as const
    const kills: string[] = []
    let brokerRestarted = false
    const chaos = (async () => {
      for (let round = 0; round < 2; round++) {
        for (const name of [...victims].sort(() => Math.random() - 0.5)) {
          await sleep(between(500, 2_500))
          const service = platform.services[name]!
          await service.stop('SIGKILL')
          kills.push(name)
          await sleep(between(100, 800))
          service.start()
          await service.ready()
        }
        if (!brokerRestarted) {
          brokerRestarted = true
          platform.restartBroker()
        }
      }
    })()
    const [placed] = await Promise.all([placing, chaos])
    expect(placed).toHaveLength(CHECKOUTS)
    expect(brokerRestarted).toBe(true)
    for (const name of victims)
      expect(kills.filter((k) => k === name).length).toBeGreaterThanOrEqual(1)

    // Every order ends (the saga's deadlines guarantee it even for lost steps).
    const deadline = Date.now() + 180_000
    let all: o.Order[] = []
    for (;;) {
      all = await client.allOrders(adminToken).catch(() => all)
      const open = all.filter(
        (order) => !['confirmed', 'shipped', 'cancelled'].includes(order.status),
      )
      if (all.length >= CHECKOUTS && open.length === 0) break
      if (Date.now() > deadline) {
        const logs = Object.values(platform.services).map(
          (s) => `--- ${s.name}\n${s.output.slice(-5000)}`,
        )
        throw new Error(`${open.length} orders not ended of ${all.length}\n${logs.join('\n')}`)
      }
      await sleep(500)
    }
    // One order per checkout, whatever the retries.
    expect(all).toHaveLength(CHECKOUTS)
    expect(new Set(all.map((order) => order.id)).size).toBe(CHECKOUTS)

    // Stock: what is on hand plus what confirmed orders took is what there was; nothing held.
    const sold = new Map<string, number>()
    for (const order of all.filter((x) => x.status === 'confirmed')) {
      for (const item of order.items)
        sold.set(item.productId, (sold.get(item.productId) ?? 0) + item.quantity)
    }
    await expect
      .poll(
        async () =>
          Promise.all(
            products.map(async (product) => {
              const stock = await client.stock(adminToken, product.id)
              return {
                onHandPlusSold: stock.onHand + (sold.get(product.id) ?? 0),
                reserved: stock.reserved,
              }
            }),
          ),
        { timeout: 60_000, interval: 500 },
      )
      .toEqual(products.map(() => ({ onHandPlusSold: initial, reserved: 0 })))

    // Money: no order captured twice; captured − refunded = the confirmed orders' totals; every
    // cancelled order's capture (a late one) was refunded.
    const confirmedTotal = all
      .filter((order) => order.status === 'confirmed')
      .reduce((sum, order) => sum + order.total.amount, 0)
    await expect
      .poll(
        async () => {
          const reply = await client.call<p.Reconciliation>('/payments/reconciliation', {
            token: adminToken,
          })
          const usd = reply.body.currencies.find((c) => c.currency === 'USD')
          return { net: usd?.net ?? 0, doubleCaptures: reply.body.doubleCaptures }
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual({ net: confirmedTotal, doubleCaptures: [] })
    for (const order of all.filter((x) => x.status === 'confirmed')) {
      expect(order.payment?.status).toBe('captured')
    }
    const confirmedCount = all.filter((x) => x.status === 'confirmed').length
    console.log(
      `crash test: ${CHECKOUTS} orders, ${confirmedCount} confirmed, kills ${JSON.stringify(kills)}`,
    )
    expect(confirmedCount).toBeGreaterThan(0)
  }, 900_000)
})
