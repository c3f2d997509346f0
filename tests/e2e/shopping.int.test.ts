import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  reserveEmbeddedPorts,
  type Started,
  startProcess,
  waitForOk,
  embeddedManagementPort,
} from './process.js'
import { fillDataDir } from './embedded-data.js'
import { fetchRetryingShed, verificationToken } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

// Browsing and the cart through the gateway of the embedded platform, as `npm start` runs it:
// the seeded demo catalog, carts priced by the catalog, a price change reaching the cart by
// event, admin routes guarded at the edge.
interface Money {
  amount: number
  currency: string
}
interface Product {
  id: string
  name: string
  price: Money
  available: number
  category: { slug: string }
}
interface Cart {
  items: Array<{ productId: string; unitPrice: Money; quantity: number; lineTotal: Money }>
  subtotal: Money
  itemCount: number
}

describe('shopping through the gateway (embedded platform)', () => {
  const port = embeddedPorts
  const base = `http://127.0.0.1:${port}`
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-shop-'))
  let started: Started
  const tokens: Record<'shopper' | 'admin', string> = { shopper: '', admin: '' }

  const call = async <T>(
    path: string,
    init: { method?: string; body?: unknown; as?: 'shopper' | 'admin' } = {},
  ) => {
    const response = await fetchRetryingShed(`${base}/api/v1${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.as ? { authorization: `Bearer ${tokens[init.as]}` } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
    const text = await response.text()
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
  }

  beforeAll(async () => {
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(port + 1),
      DATA_DIR: dataDir,
      ADMIN_EMAILS: 'admin@shop.example',
      NOTIFICATIONS_SENDER: `file:${join(dataDir, 'mailbox.jsonl')}`,
      LOG_LEVEL: 'warn',
    })
    // The gateway's management server.
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(port + 1)}/readyz`, started, 150_000)
    for (const [who, email] of [
      ['shopper', 'shopper@shop.example'],
      ['admin', 'admin@shop.example'],
    ] as const) {
      const response = await call<{ accessToken: string }>('/auth/register', {
        body: { email, password: 'correct horse battery', name: who },
      })
      expect(response.status).toBe(201)
      tokens[who] = response.body.accessToken
    }
    // Admin is granted to an ADMIN_EMAILS address verified by its own session: follow the
    // mailed link signed in.
    const token = await verificationToken(join(dataDir, 'mailbox.jsonl'), 'admin@shop.example')
    expect((await call('/auth/verify-email', { body: { token }, as: 'admin' })).status).toBe(204)
    const admin = await call<{ accessToken: string }>('/auth/login', {
      body: { email: 'admin@shop.example', password: 'correct horse battery' },
    })
    tokens.admin = admin.body.accessToken
  }, 180_000)

  afterAll(() => {
    if (started.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('lists the seeded catalog with pages, categories and search', async () => {
    const categories = await call<{ items: Array<{ slug: string }> }>('/categories')
    expect(categories.status).toBe(200)
    expect(categories.body.items.length).toBeGreaterThanOrEqual(10)
    const first = await call<{ items: Product[]; nextCursor: string | null }>('/products?limit=50')
    expect(first.status).toBe(200)
    expect(first.body.items).toHaveLength(50)
    expect(first.body.nextCursor).toBeTruthy()
    const second = await call<{ items: Product[] }>(
      `/products?limit=50&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
    )
    const ids = new Set([...first.body.items, ...second.body.items].map((p) => p.id))
    expect(ids.size).toBe(100)
    expect((await call('/products?limit=101')).status).toBe(400)
    const slug = categories.body.items[0]!.slug
    const inCategory = await call<{ items: Product[] }>(
      `/products?category=${slug}&sort=price_asc&limit=20`,
    )
    expect(inCategory.body.items.every((p) => p.category.slug === slug)).toBe(true)
    const prices = inCategory.body.items.map((p) => p.price.amount)
    expect(prices).toEqual([...prices].sort((a, b) => a - b))
    const word =
      first.body.items[0]!.name.split(' ').find((w) => w.length > 4) ?? first.body.items[0]!.name
    const found = await call<{ items: Product[] }>(`/products?q=${encodeURIComponent(word)}`)
    expect(found.status).toBe(200)
    expect(found.body.items.length).toBeGreaterThan(0)
    expect(
      (await call(`/products?q=${encodeURIComponent("'; drop table products; --")}`)).status,
    ).toBe(200)
  })

  it('prices the cart from the catalog, and a price change reaches it by event', async () => {
    const list = await call<{ items: Product[] }>('/products?limit=20&sort=price_asc')
    const product = list.body.items.find((p) => p.available >= 3)!
    expect(
      (
        await call('/cart/items', {
          body: { productId: product.id, quantity: 1, price: { amount: 1, currency: 'USD' } },
          as: 'shopper',
        })
      ).status,
    ).toBe(400)
    const added = await call<Cart>('/cart/items', {
      body: { productId: product.id, quantity: 2 },
      as: 'shopper',
    })
    expect(added.status).toBe(200)
    expect(added.body.items[0]).toMatchObject({
      productId: product.id,
      quantity: 2,
      unitPrice: product.price,
    })
    expect(added.body.subtotal.amount).toBe(product.price.amount * 2)
    expect(
      (await call('/cart/items', { body: { productId: product.id, quantity: 99 }, as: 'shopper' }))
        .status,
    ).toBe(409)
    expect((await call('/cart', {})).status).toBe(401)

    const newPrice = { amount: product.price.amount + 500, currency: product.price.currency }
    expect(
      (
        await call(`/products/${product.id}`, {
          method: 'PATCH',
          body: { price: newPrice },
          as: 'shopper',
        })
      ).status,
    ).toBe(403)
    expect(
      (
        await call(`/products/${product.id}`, {
          method: 'PATCH',
          body: { price: newPrice },
          as: 'admin',
        })
      ).status,
    ).toBe(200)
    const deadline = Date.now() + 10_000
    let cart: Cart | undefined
    while (Date.now() < deadline) {
      cart = (await call<Cart>('/cart', { as: 'shopper' })).body
      if (cart.items[0]?.unitPrice.amount === newPrice.amount) break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(cart!.items[0]!.unitPrice).toEqual(newPrice)
    expect(cart!.subtotal.amount).toBe(newPrice.amount * 2)
  })

  it('lets an admin set stock, and a customer not', async () => {
    const product = (await call<{ items: Product[] }>('/products?limit=1')).body.items[0]!
    expect(
      (
        await call(`/products/${product.id}/stock`, {
          method: 'PUT',
          body: { onHand: 7 },
          as: 'shopper',
        })
      ).status,
    ).toBe(403)
    const stock = await call<{ onHand: number; available: number }>(
      `/products/${product.id}/stock`,
      { method: 'PUT', body: { onHand: 7 }, as: 'admin' },
    )
    expect(stock.status).toBe(200)
    expect(stock.body).toMatchObject({ onHand: 7, available: 7 })
    expect((await call<Product>(`/products/${product.id}`)).body.available).toBe(7)
  })
})
