import { randomBytes, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { catalog, orders, payments } from '@emporium/contracts'

// A small client of the public API (API.md) for end-to-end tests: what a storefront or a
// partner's script does, over plain HTTP through the gateway.

export interface Reply<T> {
  status: number
  headers: Headers
  body: T
}

export const cards = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  transient: '4000000000000119',
  slow: '4000000000000259',
} as const

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const shippingAddress = {
  name: 'Ada Shopper',
  line1: '1 Market Street',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}

export function cardOf(cardNumber: string) {
  return { cardNumber, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' }
}

export class ShopClient {
  constructor(readonly api: string) {}

  async call<T = any>(
    path: string,
    init: {
      method?: string
      body?: unknown
      token?: string
      headers?: Record<string, string>
    } = {},
  ): Promise<Reply<T>> {
    const response = await fetch(`${this.api}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
    const text = await response.text()
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: body as T }
  }

  /** Registers a new account (never admin: see `registerAdmin`); returns its token. */
  async register(email = `shopper-${randomBytes(6).toString('hex')}@e2e.example`) {
    const reply = await this.call<{ accessToken: string; user: { id: string } }>('/auth/register', {
      body: { email, password: 'correct horse battery staple', name: 'E2E Shopper' },
    })
    if (reply.status !== 201)
      throw new Error(`register ${reply.status}: ${JSON.stringify(reply.body)}`)
    return { token: reply.body.accessToken, userId: reply.body.user.id }
  }

  /** Logs an account of `register` in again (a fresh token carries its current roles). */
  async login(email: string) {
    const reply = await this.call<{ accessToken: string; user: { id: string; roles: string[] } }>(
      '/auth/login',
      { body: { email, password: 'correct horse battery staple' } },
    )
    if (reply.status !== 200)
      throw new Error(`login ${reply.status}: ${JSON.stringify(reply.body)}`)
    return {
      token: reply.body.accessToken,
      userId: reply.body.user.id,
      roles: reply.body.user.roles,
    }
  }

  /**
   * Registers an ADMIN_EMAILS address and proves it through the link the platform mails (its
   * NOTIFICATIONS_SENDER must be `file:<mailbox>`) while signed in as the account (its bearer),
   * as admin is granted only to an address verified by its own session; returns an admin's token.
   */
  async registerAdmin(email: string, mailbox: string) {
    const password = 'correct horse battery staple'
    const registered = await this.register(email)
    const token = await verificationToken(mailbox, email)
    const verified = await this.call('/auth/verify-email', {
      body: { token },
      token: registered.token,
    })
    if (verified.status !== 204) throw new Error(`verify ${verified.status}`)
    const login = await this.call<{ accessToken: string; user: { id: string; roles: string[] } }>(
      '/auth/login',
      { body: { email, password } },
    )
    if (!login.body.user?.roles.includes('admin')) {
      throw new Error(`not admin after verification: ${JSON.stringify(login.body)}`)
    }
    return { token: login.body.accessToken, userId: login.body.user.id }
  }

  /** Creates a product with `onHand` units (admin). */
  async createProduct(adminToken: string, price: number, onHand: number) {
    const categories = await this.call<{ items: Array<{ id: string }> }>('/categories')
    // The demo catalog's categories (CATALOG_SEED_DEMO); the API has no category writes.
    const categoryId = categories.body.items[0]?.id
    if (!categoryId) throw new Error('no category: seed the demo catalog')
    const reply = await this.call<catalog.Product>('/products', {
      token: adminToken,
      body: {
        sku: `E2E-${randomBytes(5).toString('hex')}`,
        name: `E2E product ${randomBytes(2).toString('hex')}`,
        description: 'made by an end-to-end test',
        price: { amount: price, currency: 'USD' },
        categoryId,
        onHand,
      },
    })
    if (reply.status !== 201)
      throw new Error(`product ${reply.status}: ${JSON.stringify(reply.body)}`)
    return reply.body
  }

  async available(productId: string): Promise<number> {
    const reply = await this.call<catalog.Product>(`/products/${productId}`)
    return reply.body.available
  }

  async stock(adminToken: string, productId: string): Promise<catalog.StockLevel> {
    const reply = await this.call<catalog.StockLevel>(`/products/${productId}/stock`, {
      token: adminToken,
    })
    if (reply.status !== 200)
      throw new Error(`stock ${reply.status}: ${JSON.stringify(reply.body)}`)
    return reply.body
  }

  async addToCart(token: string, productId: string, quantity: number) {
    const reply = await this.call('/cart/items', { token, body: { productId, quantity } })
    if (reply.status !== 200) throw new Error(`cart ${reply.status}: ${JSON.stringify(reply.body)}`)
    return reply
  }

  /**
   * `POST /orders`, as a client should send it: a placement shed (503 with `retry-after` and
   * `x-emporium-shed`) is sent again after the wait with the same Idempotency-Key, a few times (`once`: the first
   * answer as it came, for tests that time each answer).
   */
  async placeOrder(
    token: string,
    cardNumber: string,
    key: string = randomUUID(),
    options: { once?: boolean } = {},
  ) {
    for (let attempt = 0; ; attempt++) {
      const reply = await this.call<orders.Order>('/orders', {
        token,
        headers: { 'idempotency-key': key },
        body: { shippingAddress, payment: cardOf(cardNumber) },
      })
      const retryAfter = Number(reply.headers.get('retry-after') ?? Number.NaN)
      // Shed by admission control or a deadline (marked so): not a refusal such as a decline limit.
      const shed = reply.status === 503 && reply.headers.get('x-emporium-shed') !== null
      if (options.once || !shed || !Number.isFinite(retryAfter) || attempt >= 10) return reply
      await new Promise((r) => setTimeout(r, Math.min(retryAfter, 10) * 1000))
    }
  }

  async order(token: string, orderId: string): Promise<orders.Order> {
    const reply = await this.call<orders.Order>(`/orders/${orderId}`, { token })
    if (reply.status !== 200)
      throw new Error(`order ${reply.status}: ${JSON.stringify(reply.body)}`)
    return reply.body
  }

  /** Polls the order until `until` says so (default: a final status), or fails after `timeoutMs`. */
  async waitForOrder(
    token: string,
    orderId: string,
    until: (order: orders.Order) => boolean = (o) =>
      ['confirmed', 'shipped', 'cancelled'].includes(o.status),
    timeoutMs = 60_000,
  ): Promise<orders.Order> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const reply = await this.call<orders.Order>(`/orders/${orderId}`, { token }).catch(
        () => undefined,
      )
      if (reply?.status === 200 && until(reply.body)) return reply.body
      if (Date.now() > deadline) {
        throw new Error(
          `order ${orderId} not there in ${timeoutMs} ms: ${JSON.stringify(reply?.body)}`,
        )
      }
      await sleep(200)
    }
  }

  async payments(token: string, orderId: string): Promise<payments.Payment[]> {
    const reply = await this.call<payments.PaymentPage>(`/payments?orderId=${orderId}`, { token })
    if (reply.status !== 200)
      throw new Error(`payments ${reply.status}: ${JSON.stringify(reply.body)}`)
    return reply.body.items
  }

  /** Every order (admin), all pages. */
  async allOrders(adminToken: string): Promise<orders.Order[]> {
    const all: orders.Order[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      const reply: Reply<orders.OrderPage> = await this.call<orders.OrderPage>(
        `/orders?all=true&limit=100${query}`,
        { token: adminToken },
      )
      if (reply.status !== 200)
        throw new Error(`orders ${reply.status}: ${JSON.stringify(reply.body)}`)
      all.push(...reply.body.items)
      cursor = reply.body.nextCursor
    } while (cursor)
    return all
  }

  /**
   * Reads the order's status stream (SSE) until it ends; returns the statuses it sent. Fails
   * when the stream has not ended after `timeoutMs`.
   */
  async statusStream(token: string, orderId: string, timeoutMs = 60_000) {
    const response = await fetch(`${this.api}/orders/${orderId}/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (response.status !== 200)
      throw new Error(`stream ${response.status}: ${await response.text()}`)
    const events: orders.OrderStatusEvent[] = []
    const text = await response.text()
    for (const block of text.split('\n\n')) {
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n')
      if (data) events.push(JSON.parse(data) as orders.OrderStatusEvent)
    }
    return { contentType: response.headers.get('content-type'), events }
  }
}

/**
 * The token of the newest verification link mailed to `email` in a `file:` sender's mailbox
 * (one JSON message a line), waited for up to `timeoutMs`.
 */
export async function verificationToken(
  mailbox: string,
  email: string,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const text = await readFile(mailbox, 'utf8').catch(() => '')
    const token = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { to: string; template: string; text: string })
      .filter((m) => m.template === 'email_verification' && m.to === email.toLowerCase())
      .map((m) => /#token=([A-Za-z0-9_.-]+)/.exec(m.text)?.[1])
      .filter((t): t is string => t !== undefined)
      .at(-1)
    if (token) return token
    if (Date.now() > deadline) throw new Error(`no verification e-mail for ${email} in ${mailbox}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
