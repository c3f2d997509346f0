import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  embeddedManagementPort,
  reserveEmbeddedPorts,
  startProcess,
  waitForOk,
  type Started,
} from './process.js'
import { fillDataDir } from './embedded-data.js'
import { cardOf, cards, shippingAddress, ShopClient, type Reply } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface PlacedOrder {
  id: string
  status: string
  promotionCode: string | null
  discount: { amount: number; currency: string }
  total: { amount: number; currency: string }
  code?: string
}

interface Promotion {
  id: string
  code: string
  uses: number
  reserved: number
}

// Issue 18: 50 shoppers race for a promotion limited to 10 uses, through the gateway of the
// embedded platform (`npm start`). Exactly 10 orders carry the code and confirm; the other 40
// are refused with 409 ORDERS.PROMOTION_EXHAUSTED (and then order without it, at full price);
// the admins' view says 10 uses, none reserved. A cancelled order gives its use back: an 11th
// shopper can then use the code, and a 12th cannot. A placement the gateway sheds (admission or
// its placement deadline: 503 with retry-after and x-emporium-shed) is sent again with the same
// Idempotency-Key after the wait, as a client must: it is never an answer, let alone a refusal.
describe('50 shoppers racing for a promotion of 10 uses (embedded platform)', () => {
  const port = embeddedPorts
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-promotion-race-'))
  const api = `http://127.0.0.1:${port}/api/v1`
  const client = new ShopClient(api)
  let started: Started
  let adminToken: string
  let productId: string

  beforeAll(async () => {
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(port + 1),
      DATA_DIR: dataDir,
      ADMIN_EMAILS: 'admin@e2e.example',
      NOTIFICATIONS_SENDER: `file:${join(dataDir, 'mailbox.jsonl')}`,
      LOG_LEVEL: 'warn',
      // 50 placements at once queue on the one PGlite connection of a loaded machine: the
      // saga's deadlines are far past anything the race could take, so that every order the race
      // accepts confirms (the race is about the uses, not about deadlines).
      ORDERS_PAYMENT_DEADLINE_SECONDS: '600',
      ORDERS_STOCK_DEADLINE_SECONDS: '600',
      ORDERS_UPSTREAM_TIMEOUT_MS: '30000',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '60000',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(port + 1)}/readyz`, started, 240_000)
    const admin = await client.registerAdmin('admin@e2e.example', join(dataDir, 'mailbox.jsonl'))
    adminToken = admin.token
    productId = (await client.createProduct(adminToken, 2_000, 500)).id
  }, 300_000)

  afterAll(() => {
    if (started?.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** A registered shopper with one unit in the cart. */
  async function shopper() {
    const { token } = await client.register()
    await client.addToCart(token, productId, 1)
    return token
  }

  /**
   * `POST /orders` with an approved card, sent again with the same Idempotency-Key while the
   * platform sheds it or holds the key for a request still in progress: the first real answer.
   */
  async function place(token: string, promotionCode?: string): Promise<Reply<PlacedOrder>> {
    const key = randomUUID()
    const deadline = Date.now() + 240_000
    for (;;) {
      const reply = await client.call<PlacedOrder>('/orders', {
        token,
        body: {
          shippingAddress,
          payment: cardOf(cards.approved),
          ...(promotionCode !== undefined && { promotionCode }),
        },
        headers: { 'idempotency-key': key },
      })
      const shed = reply.status === 503 && reply.headers.get('x-emporium-shed') !== null
      const inProgress = reply.body?.code === 'ORDERS.IDEMPOTENCY_KEY_IN_PROGRESS'
      if ((!shed && !inProgress) || Date.now() > deadline) return reply
      const wait = Number(reply.headers.get('retry-after') ?? 1)
      await sleep(Math.min(Number.isFinite(wait) ? wait : 1, 10) * 1000)
    }
  }

  async function promotion(id: string): Promise<Promotion> {
    const reply = await client.call<Promotion>(`/promotions/${id}`, { token: adminToken })
    expect(reply.status).toBe(200)
    return reply.body
  }

  it('gives the code to exactly 10 of them; a cancellation gives one use back', async () => {
    const created = await client.call<Promotion>('/promotions', {
      token: adminToken,
      body: {
        code: `race-${randomUUID().slice(0, 8)}`,
        kind: 'percentage',
        percent: 10,
        usageLimit: 10,
      },
    })
    expect(created.status).toBe(201)
    const { id, code } = created.body
    expect(code).toMatch(/^RACE-/)

    // 50 shoppers, each registered with a cart, then every placement at once.
    const tokens: string[] = []
    for (let i = 0; i < 50; i += 10)
      tokens.push(...(await Promise.all(Array.from({ length: 10 }, () => shopper()))))
    const replies = await Promise.all(tokens.map((token) => place(token, code.toLowerCase())))

    const accepted = replies.filter((r) => r.status === 202)
    const refused = replies.filter((r) => r.status !== 202)
    // Every answer is one of the two: an order, or the code's uses taken.
    expect(refused.map((r) => `${r.status} ${r.body.code}`)).toEqual(
      Array.from({ length: 40 }, () => '409 ORDERS.PROMOTION_EXHAUSTED'),
    )
    expect(accepted).toHaveLength(10)
    for (const reply of accepted) {
      expect(reply.body.promotionCode).toBe(code)
      expect(reply.body.discount.amount).toBe(200) // 10 % of 2,000
    }
    // Refused shoppers order without the code (a new body: a new key), at full price.
    const refusedTokens = tokens.filter((_, i) => replies[i]!.status !== 202)
    const fullPrice = await Promise.all(refusedTokens.map((token) => place(token)))
    expect(fullPrice.map((r) => r.status)).toEqual(refusedTokens.map(() => 202))

    // Every order confirms (an approved card); exactly the 10 carry the code and its discount.
    const winners = tokens.flatMap((token, i) =>
      replies[i]!.status === 202 ? [{ token, orderId: replies[i]!.body.id }] : [],
    )
    const everyone = [
      ...winners,
      ...refusedTokens.map((token, i) => ({ token, orderId: fullPrice[i]!.body.id })),
    ]
    const final = await Promise.all(
      everyone.map(({ token, orderId }) => client.waitForOrder(token, orderId, undefined, 240_000)),
    )
    expect(final.map((o) => o.status)).toEqual(everyone.map(() => 'confirmed'))
    const withCode = final.filter((o) => (o as unknown as PlacedOrder).promotionCode === code)
    expect(withCode.map((o) => o.id).sort()).toEqual(winners.map((w) => w.orderId).sort())
    for (const order of final as unknown as PlacedOrder[]) {
      expect(order.discount.amount).toBe(order.promotionCode === code ? 200 : 0)
    }
    // Each payment charged its order's total: the discounted one for the ten.
    const [first] = winners
    const payments = await client.payments(first!.token, first!.orderId)
    expect(payments.filter((p) => p.status === 'captured').map((p) => p.amount.amount)).toEqual([
      (final.find((o) => o.id === first!.orderId) as unknown as PlacedOrder).total.amount,
    ])

    // The admins' view: every use spent (confirmation spends it), none reserved.
    expect(await promotion(id)).toMatchObject({ uses: 10, reserved: 0 })

    // One of the ten cancels: its use is given back.
    const cancelled = await client.call(`/orders/${first!.orderId}/cancel`, {
      token: first!.token,
      method: 'POST',
    })
    expect(cancelled.status).toBe(202)
    await client.waitForOrder(
      first!.token,
      first!.orderId,
      (o) => o.status === 'cancelled',
      240_000,
    )
    expect(await promotion(id)).toMatchObject({ uses: 9, reserved: 0 })

    // An 11th shopper now gets it; a 12th does not.
    const eleventh = await shopper()
    const again = await place(eleventh, code)
    expect(again.status).toBe(202)
    expect(again.body.promotionCode).toBe(code)
    const confirmed = await client.waitForOrder(eleventh, again.body.id, undefined, 240_000)
    expect(confirmed.status).toBe('confirmed')
    expect(await promotion(id)).toMatchObject({ uses: 10, reserved: 0 })
    const twelfth = await place(await shopper(), code)
    expect(twelfth.status).toBe(409)
    expect(twelfth.body.code).toBe('ORDERS.PROMOTION_EXHAUSTED')
  }, 900_000)
})
