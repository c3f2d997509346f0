import { randomUUID } from 'node:crypto'
import {
  createInProcessBus,
  createLogger,
  startService,
  type EventBus,
  type RunningService,
} from '@emporium/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCartConfig } from '../src/config.js'
import { createCartService } from '../src/service.js'
import { localServer, tokenIssuer } from './http-support.js'
import { orderConfirmed } from './order-confirmed-suite.js'

// The whole service over real HTTP: PGlite (carts, inbox, price copy), the in-process bus, a
// fake catalog we own (a real local HTTP server we can stop) and tokens from a local JWKS.
const log = createLogger({ service: 'cart', level: 'silent' })
const products = new Map<string, object>([
  ['lamp', product('lamp', 'Desk lamp', 1999, 10)],
  ['mug', product('mug', 'Mug', 850, 200)],
  ['vase', product('vase', 'Vase', 850, 200)],
  ['tee', tee()],
])

/** A product with options, as the catalog answers it (issue 17). */
function tee() {
  const variant = (id: string, size: string, amount: number, available: number) => ({
    id,
    sku: `SKU-${id}`,
    options: { Size: size },
    label: size,
    price: { amount, currency: 'USD' },
    available,
    imageUrl: '/images/tee.svg',
  })
  return {
    ...product('tee', 'Tee', 1999, 7),
    priceRange: { min: { amount: 1999, currency: 'USD' }, max: { amount: 2299, currency: 'USD' } },
    variantCount: 2,
    options: [{ name: 'Size', values: ['M', 'XL'] }],
    variants: [variant('tee', 'M', 1999, 5), variant('tee-xl', 'XL', 2299, 2)],
  }
}

function product(id: string, name: string, amount: number, available: number) {
  return {
    id,
    sku: `SKU-${id}`,
    name,
    description: `${name}, a fine one`,
    price: { amount, currency: 'USD' },
    category: { id: 'c1', name: 'Home', slug: 'home' },
    imageUrl: `/images/${id}.svg`,
    available,
    createdAt: '2026-01-01T00:00:00.000Z',
  }
}

function catalogHandler(method: string, path: string) {
  const match = /^\/products\/([^/?]+)$/.exec(path)
  if (path === '/healthz') return { status: 200, body: { status: 'ok' } }
  // A product whose lookup hits a bug in the catalog.
  if (match?.[1] === 'broken') return { status: 500, body: { code: 'INTERNAL', status: 500 } }
  const found = match && method === 'GET' ? products.get(decodeURIComponent(match[1]!)) : undefined
  return found ? { status: 200, body: found } : { status: 404, body: { title: 'Not Found' } }
}

describe('cart service over HTTP', () => {
  let catalog: Awaited<ReturnType<typeof localServer>>
  let issuer: Awaited<ReturnType<typeof tokenIssuer>>
  let bus: EventBus
  let running: RunningService
  let token: string

  beforeAll(async () => {
    catalog = await localServer(catalogHandler)
    issuer = await tokenIssuer()
    const config = loadCartConfig({
      CART_DATABASE_URL: 'pglite:memory',
      CART_CATALOG_URLS: catalog.url,
      // Generous: with the strict breaker below, timeouts on a busy machine would open it.
      CART_CATALOG_TIMEOUT_MS: '10000',
      CART_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'silent',
    })
    bus = createInProcessBus({ log })
    const service = await createCartService(config, {
      log,
      // A strict breaker: over half of 2 calls in the window failing would open it.
      catalogClient: { retries: 0, breaker: { minimumCalls: 2, halfOpenAfterMs: 60_000 } },
    })
    running = await startService(service, { port: 0, log, bus })
    token = await issuer.sign('user-1')
  })

  afterAll(async () => {
    await running?.stopHttp()
    await bus?.close()
    await running?.close()
    await catalog?.stop()
    await issuer?.stop()
  })

  async function call(method: string, path: string, body?: unknown, bearer: string | null = token) {
    const headers: Record<string, string> = {}
    if (bearer) headers.authorization = `Bearer ${bearer}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${running.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
    }
  }

  it('needs a bearer token', async () => {
    const res = await call('GET', '/cart', undefined, null)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect((await call('GET', '/cart', undefined, 'not-a-token')).status).toBe(401)
  })

  it('gives an empty cart to a customer without one', async () => {
    const res = await call('GET', '/cart', undefined, await issuer.sign('user-empty'))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      items: [],
      subtotal: { amount: 0, currency: 'USD' },
      itemCount: 0,
      version: 0,
    })
  })

  it('prices on the server: a price in the body is a 400, the catalog price is used', async () => {
    const bad = await call('POST', '/cart/items', {
      productId: 'lamp',
      quantity: 1,
      price: { amount: 1, currency: 'USD' },
    })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/)
    const res = await call('POST', '/cart/items', { productId: 'lamp', quantity: 2 })
    expect(res.status).toBe(200)
    expect(res.body.items).toEqual([
      {
        productId: 'lamp',
        // A product without options is its one variant, of the product's id.
        variantId: 'lamp',
        name: 'Desk lamp',
        unitPrice: { amount: 1999, currency: 'USD' },
        quantity: 2,
        lineTotal: { amount: 3998, currency: 'USD' },
      },
    ])
  })

  it('merges quantities, refuses more than available (409) and unknown products (404)', async () => {
    const before = (await call('GET', '/cart')).body.version as number
    const res = await call('POST', '/cart/items', { productId: 'lamp', quantity: 3 })
    expect(res.body).toMatchObject({ itemCount: 5, subtotal: { amount: 9995 } })
    // Each write counts one version (an order records the one it was placed from).
    expect(res.body.version).toBe(before + 1)
    const over = await call('POST', '/cart/items', { productId: 'lamp', quantity: 6 })
    expect(over.status).toBe(409)
    expect(over.body.code).toBe('CART.NOT_ENOUGH_STOCK')
    expect((await call('GET', '/cart')).body.version).toBe(before + 1)
    expect((await call('POST', '/cart/items', { productId: 'ghost', quantity: 1 })).status).toBe(
      404,
    )
    expect((await call('POST', '/cart/items', { productId: 'mug', quantity: 100 })).status).toBe(
      400,
    )
    expect((await call('POST', '/cart/items', { productId: 'mug', quantity: 0 })).status).toBe(400)
  })

  it('keeps each customer to their own cart', async () => {
    const other = await issuer.sign('user-2')
    expect((await call('GET', '/cart', undefined, other)).body.items).toEqual([])
    expect((await call('PATCH', '/cart/items/lamp', { quantity: 1 }, other)).status).toBe(404)
  })

  it("merges a guest's cart into the caller's at sign-in (POST /cart/merge), once", async () => {
    const guestId = `guest_${randomUUID()}`
    const guest = await issuer.sign(guestId, undefined, ['guest'])
    const account = await issuer.sign('user-merge')
    expect(
      (await call('POST', '/cart/items', { productId: 'mug', quantity: 2 }, guest)).status,
    ).toBe(200)
    expect(
      (await call('POST', '/cart/items', { productId: 'vase', quantity: 1 }, guest)).status,
    ).toBe(200)
    expect(
      (await call('POST', '/cart/items', { productId: 'mug', quantity: 1 }, account)).status,
    ).toBe(200)
    const merge = (bearer: string, cartToken?: string) =>
      fetch(`${running.url}/cart/merge`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(cartToken === undefined ? {} : { 'x-cart-token': cartToken }),
        },
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }))

    // Refused, changing nothing: no token, a forged one, an expired one, an account's, a guest caller.
    const expired = await issuer.sign(
      guestId,
      undefined,
      ['guest'],
      Math.floor(Date.now() / 1000) - 60,
    )
    for (const cartToken of [undefined, 'not.a.token', expired, await issuer.sign('user-other')]) {
      const refused = await merge(account, cartToken)
      expect(refused).toMatchObject({ status: 400, body: { code: 'CART.INVALID_CART_TOKEN' } })
    }
    const byGuest = await merge(guest, guest)
    expect(byGuest).toMatchObject({ status: 403, body: { code: 'AUTH.GUEST_NOT_ALLOWED' } })

    const merged = await merge(account, guest)
    expect(merged.status).toBe(200)
    expect(merged.body).toMatchObject({ itemCount: 4, mergedLines: 2, notMerged: [] })
    expect(
      (merged.body.items as Array<{ productId: string; quantity: number }>).map((i) => [
        i.productId,
        i.quantity,
      ]),
    ).toEqual([
      ['mug', 3],
      ['vase', 1],
    ])
    expect((await call('GET', '/cart', undefined, guest)).body).toMatchObject({ items: [] })
    const again = await merge(account, guest)
    expect(again).toMatchObject({ status: 200, body: { itemCount: 4, mergedLines: 0 } })
  })

  it('takes a price change from a product.updated event', async () => {
    await bus.publish({
      id: randomUUID(),
      type: 'product.updated',
      version: 1,
      occurredAt: new Date(Date.now() + 1000).toISOString(),
      source: 'catalog',
      correlationId: randomUUID(),
      causationId: null,
      data: {
        productId: 'lamp',
        sku: 'SKU-lamp',
        name: 'Desk lamp II',
        price: { amount: 1500, currency: 'USD' },
        categoryId: 'c1',
        imageUrl: '/images/lamp.svg',
        previousPrice: { amount: 1999, currency: 'USD' },
      },
    })
    const res = await call('GET', '/cart')
    expect(res.body).toMatchObject({
      subtotal: { amount: 7500, currency: 'USD' },
      priceChanged: true,
      items: [
        {
          productId: 'lamp',
          name: 'Desk lamp II',
          unitPrice: { amount: 1500 },
          previousUnitPrice: { amount: 1999 },
          lineTotal: { amount: 7500 },
        },
      ],
    })
  })

  it('applies each event once and never rolls a price back; a deleted product leaves the totals', async () => {
    const envelope = (type: string, occurredAt: Date, data: unknown) => ({
      id: randomUUID(),
      type,
      version: 1,
      occurredAt: occurredAt.toISOString(),
      source: 'catalog',
      correlationId: randomUUID(),
      causationId: null,
      data,
    })
    const vaseData = (amount: number) => ({
      productId: 'vase',
      sku: 'SKU-vase',
      name: 'Vase',
      price: { amount, currency: 'USD' },
      categoryId: 'c1',
      imageUrl: '/images/vase.svg',
    })
    const buyer = await issuer.sign('user-events')
    await call('POST', '/cart/items', { productId: 'vase', quantity: 2 }, buyer)
    const later = new Date(Date.now() + 5_000)
    const update = envelope('product.updated', later, vaseData(900))
    await bus.publish(update)
    await bus.publish(update) // redelivery: the inbox skips it
    await bus.publish(envelope('product.updated', new Date(Date.now() + 1_000), vaseData(100)))
    expect((await call('GET', '/cart', undefined, buyer)).body.subtotal.amount).toBe(1800)
    await bus.publish(
      envelope('product.deleted', new Date(Date.now() + 9_000), { productId: 'vase' }),
    )
    const gone = await call('GET', '/cart', undefined, buyer)
    expect(gone.body).toMatchObject({
      itemCount: 0,
      subtotal: { amount: 0 },
      items: [{ unavailable: true }],
    })
  })

  it('keeps a line per variant: the variant is chosen, named, priced and changed on its own', async () => {
    const buyer = await issuer.sign('user-variants')
    const as = (method: string, path: string, body?: unknown) => call(method, path, body, buyer)
    const unchosen = await as('POST', '/cart/items', { productId: 'tee', quantity: 1 })
    expect([unchosen.status, unchosen.body.code]).toEqual([422, 'CART.VARIANT_REQUIRED'])
    expect(unchosen.headers.get('content-type')).toMatch(/problem\+json/)
    const unknown = await as('POST', '/cart/items', {
      productId: 'tee',
      variantId: 'x',
      quantity: 1,
    })
    expect([unknown.status, unknown.body.code]).toEqual([404, 'CART.VARIANT_NOT_FOUND'])
    const tooMany = await as('POST', '/cart/items', {
      productId: 'tee',
      variantId: 'tee-xl',
      quantity: 3,
    })
    expect([tooMany.status, tooMany.body.code]).toEqual([409, 'CART.NOT_ENOUGH_STOCK'])
    expect((await as('GET', '/cart')).body.items).toEqual([])

    await as('POST', '/cart/items', { productId: 'tee', variantId: 'tee-xl', quantity: 1 })
    const both = await as('POST', '/cart/items', {
      productId: 'tee',
      variantId: 'tee',
      quantity: 2,
    })
    expect(both.body.items).toEqual([
      expect.objectContaining({
        productId: 'tee',
        variantId: 'tee-xl',
        variantLabel: 'XL',
        unitPrice: { amount: 2299, currency: 'USD' },
        quantity: 1,
      }),
      expect.objectContaining({
        productId: 'tee',
        variantId: 'tee',
        variantLabel: 'M',
        unitPrice: { amount: 1999, currency: 'USD' },
        quantity: 2,
      }),
    ])
    expect(both.body.subtotal.amount).toBe(2299 + 2 * 1999)

    // A line is named by its product and variant; the product alone is ambiguous now.
    const ambiguous = await as('PATCH', '/cart/items/tee', { quantity: 1 })
    expect([ambiguous.status, ambiguous.body.code]).toEqual([422, 'CART.VARIANT_REQUIRED'])
    const set = await as('PATCH', '/cart/items/tee?variantId=tee-xl', { quantity: 2 })
    expect(set.body.items.map((i: any) => [i.variantId, i.quantity])).toEqual([
      ['tee-xl', 2],
      ['tee', 2],
    ])
    expect((await as('PATCH', '/cart/items/tee?variantId=mug', { quantity: 1 })).status).toBe(404)

    // A price change of one variant reaches its line only.
    await bus.publish({
      id: randomUUID(),
      type: 'product.updated',
      version: 1,
      occurredAt: new Date(Date.now() + 1000).toISOString(),
      source: 'catalog',
      correlationId: randomUUID(),
      causationId: null,
      data: {
        productId: 'tee',
        sku: 'SKU-tee',
        name: 'Tee',
        price: { amount: 1999, currency: 'USD' },
        categoryId: 'c1',
        imageUrl: '/images/tee.svg',
        variants: [
          {
            variantId: 'tee',
            sku: 'SKU-tee',
            price: { amount: 1999, currency: 'USD' },
            label: 'M',
          },
          {
            variantId: 'tee-xl',
            sku: 'SKU-tee-xl',
            price: { amount: 2499, currency: 'USD' },
            label: 'XL',
          },
        ],
      },
    })
    const repriced = (await as('GET', '/cart')).body
    expect(
      repriced.items.map((i: any) => [
        i.variantId,
        i.unitPrice.amount,
        i.previousUnitPrice?.amount,
      ]),
    ).toEqual([
      ['tee-xl', 2499, 2299],
      ['tee', 1999, undefined],
    ])

    const removed = await as('DELETE', '/cart/items/tee?variantId=tee-xl')
    expect(removed.body.items.map((i: any) => i.variantId)).toEqual(['tee'])
    await as('POST', '/cart/items', { productId: 'tee', variantId: 'tee-xl', quantity: 1 })
    // Without a variant, DELETE takes every line of the product.
    expect((await as('DELETE', '/cart/items/tee')).body.items).toEqual([])
  })

  it('sets quantities; 0 removes the line; an absent line is 404', async () => {
    await call('POST', '/cart/items', { productId: 'mug', quantity: 1 })
    expect((await call('PATCH', '/cart/items/mug', { quantity: 4 })).body.itemCount).toBe(9)
    const removed = await call('PATCH', '/cart/items/mug', { quantity: 0 })
    expect(removed.status).toBe(200)
    expect(removed.body.items.map((i: { productId: string }) => i.productId)).toEqual(['lamp'])
    expect((await call('PATCH', '/cart/items/mug', { quantity: 2 })).status).toBe(404)
    expect((await call('PATCH', '/cart/items/lamp', { quantity: 100 })).status).toBe(400)
  })

  it("takes the order's lines out of the buyer's cart when it is confirmed (embedded: SQL store, PGlite)", async () => {
    const buyer = await issuer.sign('user-confirmed')
    const bystander = await issuer.sign('user-bystander')
    for (const bearer of [buyer, bystander]) {
      const added = await call('POST', '/cart/items', { productId: 'mug', quantity: 1 }, bearer)
      expect(added.status).toBe(200)
    }
    // The order holds the mug; before its confirmation the buyer adds a lamp.
    expect(
      (await call('POST', '/cart/items', { productId: 'lamp', quantity: 1 }, buyer)).status,
    ).toBe(200)
    const event = orderConfirmed('user-confirmed', [['mug', 1]])
    await bus.publish(event)
    const after = (await call('GET', '/cart', undefined, buyer)).body
    expect(after.items.map((i: { productId: string }) => i.productId)).toEqual(['lamp'])
    expect((await call('GET', '/cart', undefined, bystander)).body.itemCount).toBe(1)
    // A redelivery after the shopper added mugs again changes nothing.
    await call('POST', '/cart/items', { productId: 'mug', quantity: 2 }, buyer)
    await bus.publish(event)
    expect((await call('GET', '/cart', undefined, buyer)).body.itemCount).toBe(3)
  })

  it('a catalog that answers 500 for one product does not make the cart refuse the others', async () => {
    const shopper = await issuer.sign('user-bugs')
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('POST', '/cart/items', { productId: 'broken', quantity: 1 }, shopper),
      ),
    )
    for (const answer of burst) {
      expect(answer.status).toBe(500)
      expect(answer.body).toMatchObject({ code: 'UPSTREAM.SERVER_ERROR' })
    }
    const other = await call('POST', '/cart/items', { productId: 'mug', quantity: 1 }, shopper)
    expect(other.status).toBe(200)
    const cart = await call('GET', '/cart', undefined, shopper)
    expect(cart.body).toMatchObject({ itemCount: 1, items: [{ productId: 'mug' }] })
    expect(cart.body.stale).toBeFalsy()
    const metrics = await (await fetch(`${running.url}/metrics`)).text()
    expect(metrics).toMatch(/http_client_upstream_bugs_total\{[^}]*upstream="catalog"[^}]*\} 20/)
    expect(metrics).toMatch(/http_client_breaker_state\{[^}]*upstream="catalog"[^}]*\} 0/)
  })

  it('reads while the catalog is down (stale), and refuses adding with a quick 503', async () => {
    await catalog.stop()
    const started = Date.now()
    const add = await call('POST', '/cart/items', { productId: 'mug', quantity: 1 })
    expect(add.status).toBe(503)
    expect(add.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(add.body.code).toBe('CART.CATALOG_UNAVAILABLE')
    expect(Date.now() - started).toBeLessThan(2_000)
    const read = await call('GET', '/cart')
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({ stale: true, itemCount: 5, items: [{ stale: true }] })
    // Further failures open the breaker: answers without waiting for the catalog at all.
    await call('POST', '/cart/items', { productId: 'mug', quantity: 1 })
    const open = await call('POST', '/cart/items', { productId: 'mug', quantity: 1 })
    expect(open.status).toBe(503)
    // Removing needs no price.
    expect((await call('DELETE', '/cart/items/lamp')).body.items).toEqual([])
  })

  it('empties the cart with DELETE /cart (204), also when there is none', async () => {
    const buyer = await issuer.sign('user-events')
    expect((await call('GET', '/cart', undefined, buyer)).body.items).toHaveLength(1)
    const res = await call('DELETE', '/cart', undefined, buyer)
    expect(res.status).toBe(204)
    expect((await call('GET', '/cart', undefined, buyer)).body.items).toEqual([])
    expect((await call('DELETE', '/cart', undefined, buyer)).status).toBe(204)
  })
})
