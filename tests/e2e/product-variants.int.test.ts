import { randomBytes } from 'node:crypto'
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
import { cards, ShopClient } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

// Issue 17 end to end through the gateway of the embedded platform, as `npm start` runs it: an
// admin makes a product with options and variants; shoppers choose a variant, see it named in
// the cart and the order, and race for the last unit of one variant while another sells.
describe('product options and variants through the gateway (embedded platform)', () => {
  const port = embeddedPorts
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-variants-'))
  let started: Started
  let client: ShopClient
  let adminToken: string

  beforeAll(async () => {
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(port + 1),
      DATA_DIR: dataDir,
      ADMIN_EMAILS: 'admin@e2e.example',
      NOTIFICATIONS_SENDER: `file:${join(dataDir, 'mailbox.jsonl')}`,
      LOG_LEVEL: 'warn',
      // Generous on a busy machine: this proves outcomes, not latency.
      ORDERS_UPSTREAM_TIMEOUT_MS: '20000',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '30000',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    // The gateway's management server.
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(port + 1)}/readyz`, started, 150_000)
    client = new ShopClient(`http://127.0.0.1:${port}/api/v1`)
    const admin = await client.registerAdmin('admin@e2e.example', join(dataDir, 'mailbox.jsonl'))
    adminToken = admin.token
  }, 180_000)

  afterAll(() => {
    if (started.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** A T-shirt in sizes M (at `mStock`) and L, both blue; answers the product and its variants. */
  async function tee(mStock: number, lStock: number) {
    const categories = await client.call('/categories')
    const name = `Variant tee ${randomBytes(4).toString('hex')}`
    const sku = `E2E-TEE-${randomBytes(4).toString('hex')}`
    const created = await client.call('/products', {
      token: adminToken,
      body: {
        sku,
        name,
        description: 'A tee in two sizes.',
        price: { amount: 2000, currency: 'USD' },
        categoryId: categories.body.items[0].id,
        options: [
          { name: 'Size', values: ['M', 'L'] },
          { name: 'Colour', values: ['Blue'] },
        ],
        variants: [
          { sku: `${sku}-M`, options: { Size: 'M', Colour: 'Blue' }, onHand: mStock },
          {
            sku: `${sku}-L`,
            options: { Size: 'L', Colour: 'Blue' },
            onHand: lStock,
            price: { amount: 2400, currency: 'USD' },
          },
        ],
      },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const [m, l] = created.body.variants as Array<{ id: string; label: string }>
    return { product: created.body, name, m: m!, l: l! }
  }

  const addToCart = (token: string, body: Record<string, unknown>) =>
    client.call('/cart/items', { token, body: { quantity: 1, ...body } })

  const variantStock = async (productId: string, variantId: string) =>
    (
      await client.call(`/products/${productId}/variants/${variantId}/stock`, {
        token: adminToken,
      })
    ).body

  it("answers a product with the catalog's validators through the gateway, and a change at once (issue 20)", async () => {
    const { product } = await tee(3, 3)
    const path = `/products/${product.id}`
    const first = await client.call(path)
    const etag = first.headers.get('etag')!
    // fetch accepts gzip: the gateway may encode the body, so the tag it passes on is weak.
    expect(etag).toMatch(/^W\/"[\w-]+"$/)
    expect(first.headers.get('cache-control')).toBe('public, no-cache')
    const again = await client.call(path, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    const identity = await client.call(path, {
      headers: { 'accept-encoding': 'identity', 'if-none-match': etag },
    })
    expect(identity.status).toBe(304)
    expect(identity.headers.get('etag')).toBe(etag.slice(2))
    const renamed = await client.call(path, {
      method: 'PATCH',
      token: adminToken,
      body: { name: `${product.name} renamed` },
    })
    expect(renamed.status).toBe(200)
    const fresh = await client.call(path, { headers: { 'if-none-match': etag } })
    expect(fresh.status).toBe(200)
    expect(fresh.body.name).toBe(`${product.name} renamed`)
  })

  it('buys a chosen variant: named in the list, the cart and the order; only its stock moves', async () => {
    const { product, name, m, l } = await tee(5, 4)
    const listed = await client.call(`/products?q=${encodeURIComponent(name)}`)
    expect(listed.body.items.filter((p: { id: string }) => p.id === product.id)).toEqual([
      expect.objectContaining({
        price: { amount: 2000, currency: 'USD' },
        priceRange: {
          min: { amount: 2000, currency: 'USD' },
          max: { amount: 2400, currency: 'USD' },
        },
        variantCount: 2,
        available: 9,
      }),
    ])

    const shopper = await client.register()
    const unchosen = await addToCart(shopper.token, { productId: product.id })
    expect(unchosen.status).toBe(422)
    expect(unchosen.headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect(unchosen.body.code).toBe('CART.VARIANT_REQUIRED')
    expect(
      (await addToCart(shopper.token, { productId: product.id, variantId: 'nope' })).status,
    ).toBe(404)

    const cart = await addToCart(shopper.token, {
      productId: product.id,
      variantId: l.id,
      quantity: 2,
    })
    expect(cart.status, JSON.stringify(cart.body)).toBe(200)
    expect(cart.body.items).toEqual([
      expect.objectContaining({
        productId: product.id,
        variantId: l.id,
        variantLabel: 'L / Blue',
        unitPrice: { amount: 2400, currency: 'USD' },
        quantity: 2,
      }),
    ])

    const placed = await client.placeOrder(shopper.token, cards.approved)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const order = await client.waitForOrder(shopper.token, placed.body.id)
    expect(order.status).toBe('confirmed')
    expect(order.items).toMatchObject([
      {
        productId: product.id,
        variantId: l.id,
        variantLabel: 'L / Blue',
        name,
        unitPrice: { amount: 2400, currency: 'USD' },
        quantity: 2,
        lineTotal: { amount: 4800, currency: 'USD' },
      },
    ])
    expect(order.total).toEqual({ amount: 4800, currency: 'USD' })
    // The reservation committed the ordered variant's units, and only its.
    await expect
      .poll(() => variantStock(product.id, l.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 2, reserved: 0, available: 2 })
    expect(await variantStock(product.id, m.id)).toMatchObject({ onHand: 5, reserved: 0 })
    await expect
      .poll(async () => (await client.call('/cart', { token: shopper.token })).body.itemCount, {
        timeout: 20_000,
      })
      .toBe(0)
  })

  it('two shoppers racing for the last unit of one variant: one gets it; another variant sells', async () => {
    const { product, m, l } = await tee(1, 5)
    const [first, second, other] = await Promise.all([
      client.register(),
      client.register(),
      client.register(),
    ])
    // The cart checks stock as it is now: both see the last unit.
    for (const shopper of [first!, second!]) {
      expect(
        (await addToCart(shopper.token, { productId: product.id, variantId: m.id })).status,
      ).toBe(200)
    }
    expect(
      (await addToCart(other!.token, { productId: product.id, variantId: l.id, quantity: 2 }))
        .status,
    ).toBe(200)

    const placed = await Promise.all(
      [first!, second!, other!].map((s) => client.placeOrder(s.token, cards.approved)),
    )
    for (const reply of placed) expect(reply.status, JSON.stringify(reply.body)).toBe(202)
    const [a, b, c] = await Promise.all(
      placed.map((reply, i) =>
        client.waitForOrder([first!, second!, other!][i]!.token, reply.body.id),
      ),
    )
    expect([a!.status, b!.status].sort()).toEqual(['cancelled', 'confirmed'])
    expect([a!, b!].find((o) => o.status === 'cancelled')!.cancellationReason).toBe('out_of_stock')
    expect(c!.status).toBe('confirmed')
    await expect
      .poll(() => variantStock(product.id, m.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 0, reserved: 0 })
    await expect
      .poll(() => variantStock(product.id, l.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 3, reserved: 0 })
    // The product's stock: its variants' sums.
    expect(await client.stock(adminToken, product.id)).toEqual({
      productId: product.id,
      onHand: 3,
      reserved: 0,
      available: 3,
    })
  })
})
