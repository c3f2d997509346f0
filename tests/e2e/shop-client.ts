import { randomBytes, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import {
  createEmporiumClient,
  finalOrderStatuses,
  readServerSentEvents,
  type CallResult,
  type EmporiumClient,
  type Order,
  type OrderStatus,
  type OrderStatusEvent,
  type Payment,
  type Product,
  type StockLevel,
  shedWaitSeconds,
} from '@emporium/sdk'
import { Client, fetch as undiciFetch, Request as UndiciRequest } from 'undici'

// The end-to-end tests' client of the public API (API.md): what a storefront or a partner's
// script does, through the gateway, with the typed client of @emporium/sdk. The helpers below
// are the steps the suites repeat; `as(token)` is the typed client for anything else, and
// `call` sends a raw request for what a typed client would not send.

export interface Reply<T> {
  status: number
  headers: Headers
  /** The JSON answered: the value on success, the problem document on failure. */
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

const password = 'correct horse battery staple'

/** An SDK call's answer as a Reply (its body whether it succeeded or not). */
export async function replyOf<T>(call: Promise<CallResult<T>>): Promise<Reply<T>> {
  const { data, error, response } = await call
  return { status: response.status, headers: response.headers, body: (data ?? error) as T }
}

/** The body of a reply with the status expected, else an error that quotes the answer. */
function expectStatus<T>(what: string, reply: Reply<T>, status: number): T {
  if (reply.status !== status)
    throw new Error(`${what} ${reply.status}: ${JSON.stringify(reply.body)}`)
  return reply.body
}

/**
 * `fetch` that sends a request the platform shed again after its `retry-after` (at most 10
 * times), as ShopClient's typed client does; the body must be one that can be sent twice (a
 * string or bytes, not a stream).
 */
export async function fetchRetryingShed(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, init)
    const wait = shedWaitSeconds(new Request(url, { headers: init.headers }), response)
    if (wait === undefined || wait > 10 || attempt >= 10) return response
    await response.body?.cancel().catch(() => undefined)
    await sleep(wait * 1000)
  }
}

export class ShopClient {
  /** The platform's origin: the SDK's paths carry `/api/v1`. */
  readonly origin: string
  /** The typed client's own keep-alive connection (`ownConnection`); none: the global pool. */
  private readonly connection: Client | undefined

  /** `api`: the public API's base, `http://host:port/api/v1`. */
  constructor(
    readonly api: string,
    options: { ownConnection?: boolean } = {},
  ) {
    this.origin = api.replace(/\/api\/v1\/?$/, '')
    this.connection = options.ownConnection ? new Client(this.origin) : undefined
  }

  /**
   * A client of the same platform whose typed calls go over one keep-alive connection of its
   * own, as one shopper's browser does: a crowd of shoppers is a crowd of open connections, not
   * one test process's pool opening hundreds at the same instant. `close()` ends it.
   */
  ownConnection(): ShopClient {
    return new ShopClient(this.api, { ownConnection: true })
  }

  async close(): Promise<void> {
    await this.connection?.close()
  }

  /**
   * The typed client of the public API as the holder of `token` (none: anonymous). It sends a
   * request the platform shed (503, `retry-after`, `x-emporium-shed`) again after the wait, as a
   * well-behaved client does: on a busy machine the event-loop guard sheds now and then, and a
   * test is about the answer to the request, not about the machine (`retryShed: false`: the
   * first answer as it came, for tests that time or count each answer).
   */
  as(token?: string, options: { retryShed?: boolean } = {}): EmporiumClient {
    const connection = this.connection
    return createEmporiumClient({
      baseUrl: this.origin,
      ...(connection === undefined
        ? {}
        : {
            // undici's own fetch and Request, bound to the connection (the global ones are
            // Node's copy of undici, which takes no dispatcher of this package).
            fetch: (request: Request) =>
              undiciFetch(request as never, {
                dispatcher: connection,
              }) as unknown as Promise<Response>,
            Request: UndiciRequest as unknown as typeof Request,
          }),
      ...(token ? { token } : {}),
      ...(options.retryShed === false ? {} : { retryShed: { attempts: 10 } }),
    })
  }

  /** A raw request to `api` + `path` (any path, any body), for what the typed client is not. */
  async call<T = any>(
    path: string,
    init: {
      method?: string
      body?: unknown
      token?: string
      headers?: Record<string, string>
    } = {},
  ): Promise<Reply<T>> {
    const response = await fetchRetryingShed(`${this.api}${path}`, {
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
    const reply = await replyOf(
      this.as().POST('/api/v1/auth/register', {
        body: { email, password, name: 'E2E Shopper' },
      }),
    )
    const body = expectStatus('register', reply, 201)
    return { token: body.accessToken, userId: body.user.id }
  }

  /** Logs an account of `register` in again (a fresh token carries its current roles). */
  async login(email: string) {
    const reply = await replyOf(this.as().POST('/api/v1/auth/login', { body: { email, password } }))
    const body = expectStatus('login', reply, 200)
    return { token: body.accessToken, userId: body.user.id, roles: body.user.roles }
  }

  /**
   * Registers an ADMIN_EMAILS address and proves it through the link the platform mails (its
   * NOTIFICATIONS_SENDER must be `file:<mailbox>`) while signed in as the account (its bearer),
   * as admin is granted only to an address verified by its own session; returns an admin's token.
   */
  async registerAdmin(email: string, mailbox: string) {
    const registered = await this.register(email)
    const token = await verificationToken(mailbox, email)
    const verified = await replyOf(
      this.as(registered.token).POST('/api/v1/auth/verify-email', { body: { token } }),
    )
    if (verified.status !== 204) throw new Error(`verify ${verified.status}`)
    const login = await this.login(email)
    if (!login.roles.includes('admin')) {
      throw new Error(`not admin after verification: ${JSON.stringify(login)}`)
    }
    return { token: login.token, userId: login.userId }
  }

  /** Creates a product with `onHand` units (admin). */
  async createProduct(adminToken: string, price: number, onHand: number): Promise<Product> {
    const categories = await replyOf(this.as().GET('/api/v1/categories'))
    // The demo catalog's first category (CATALOG_SEED_DEMO).
    const categoryId = categories.body.items?.[0]?.id
    if (!categoryId) throw new Error('no category: seed the demo catalog')
    const reply = await replyOf(
      this.as(adminToken).POST('/api/v1/products', {
        body: {
          sku: `E2E-${randomBytes(5).toString('hex')}`,
          name: `E2E product ${randomBytes(4).toString('hex')}`,
          description: 'made by an end-to-end test',
          price: { amount: price, currency: 'USD' },
          categoryId,
          onHand,
        },
      }),
    )
    return expectStatus('product', reply, 201)
  }

  async available(productId: string): Promise<number> {
    const reply = await replyOf(
      this.as().GET('/api/v1/products/{id}', { params: { path: { id: productId } } }),
    )
    return reply.body.available
  }

  async stock(adminToken: string, productId: string): Promise<StockLevel> {
    const reply = await replyOf(
      this.as(adminToken).GET('/api/v1/products/{id}/stock', {
        params: { path: { id: productId } },
      }),
    )
    return expectStatus('stock', reply, 200)
  }

  async addToCart(token: string, productId: string, quantity: number) {
    const reply = await replyOf(
      this.as(token).POST('/api/v1/cart/items', { body: { productId, quantity } }),
    )
    expectStatus('cart', reply, 200)
    return reply
  }

  /**
   * `POST /orders`, as a client should send it: a placement shed (503 with `retry-after` and
   * `x-emporium-shed`) is sent again after the wait with the same Idempotency-Key, a few times
   * (`once`: the first answer as it came, for tests that time each answer).
   */
  async placeOrder(
    token: string,
    cardNumber: string,
    key: string = randomUUID(),
    options: { once?: boolean } = {},
  ): Promise<Reply<Order>> {
    for (let attempt = 0; ; attempt++) {
      const reply = await replyOf(
        this.as(token, { retryShed: false }).POST('/api/v1/orders', {
          body: { shippingAddress, payment: cardOf(cardNumber) },
          params: { header: { 'idempotency-key': key } },
        }),
      )
      const retryAfter = Number(reply.headers.get('retry-after') ?? Number.NaN)
      // Shed by admission control or a deadline (marked so): not a refusal such as a decline limit.
      const shed = reply.status === 503 && reply.headers.get('x-emporium-shed') !== null
      if (options.once || !shed || !Number.isFinite(retryAfter) || attempt >= 10) return reply
      await sleep(Math.min(retryAfter, 10) * 1000)
    }
  }

  /**
   * `POST /orders/{id}/payment-attempts`: pays an order whose payment failed again with another
   * card (issue 18), under an Idempotency-Key as a placement.
   */
  async retryPayment(
    token: string,
    orderId: string,
    cardNumber: string,
    key: string = randomUUID(),
  ): Promise<Reply<Order>> {
    return this.call<Order>(`/orders/${orderId}/payment-attempts`, {
      token,
      body: { payment: cardOf(cardNumber) },
      headers: { 'idempotency-key': key },
    })
  }

  async order(token: string, orderId: string): Promise<Order> {
    const reply = await replyOf(
      this.as(token).GET('/api/v1/orders/{id}', { params: { path: { id: orderId } } }),
    )
    return expectStatus('order', reply, 200)
  }

  /** Polls the order until `until` says so (default: a final status), or fails after `timeoutMs`. */
  async waitForOrder(
    token: string,
    orderId: string,
    until: (order: Order) => boolean = (o) => finalOrderStatuses.includes(o.status),
    timeoutMs = 60_000,
  ): Promise<Order> {
    const deadline = Date.now() + timeoutMs
    const api = this.as(token)
    for (;;) {
      const reply = await replyOf(
        api.GET('/api/v1/orders/{id}', { params: { path: { id: orderId } } }),
      ).catch(() => undefined)
      if (reply?.status === 200 && until(reply.body)) return reply.body
      if (Date.now() > deadline) {
        throw new Error(
          `order ${orderId} not there in ${timeoutMs} ms: ${JSON.stringify(reply?.body)}`,
        )
      }
      await sleep(200)
    }
  }

  async payments(token: string, orderId: string): Promise<Payment[]> {
    const reply = await replyOf(
      this.as(token).GET('/api/v1/payments', { params: { query: { orderId } } }),
    )
    return expectStatus('payments', reply, 200).items
  }

  /** Every order (admin), all pages. */
  async allOrders(adminToken: string): Promise<Order[]> {
    const api = this.as(adminToken)
    const all: Order[] = []
    let cursor: string | undefined
    do {
      const reply = await replyOf(
        api.GET('/api/v1/orders', { params: { query: { all: true, limit: 100, cursor } } }),
      )
      const page = expectStatus('orders', reply, 200)
      all.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    return all
  }

  /**
   * Reads the order's status stream (SSE) until a status `until` accepts (by default a final
   * one: the stream itself stays open past confirmed, until shipped or cancelled) or until it
   * ends; returns the statuses it sent. Fails when neither happened after `timeoutMs`.
   */
  async statusStream(
    token: string,
    orderId: string,
    timeoutMs = 60_000,
    until: (status: OrderStatus) => boolean = (status) => finalOrderStatuses.includes(status),
  ) {
    const { response, error } = await this.as(token).GET('/api/v1/orders/{id}/events', {
      params: { path: { id: orderId } },
      headers: { accept: 'text/event-stream' },
      parseAs: 'stream',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (response.status !== 200) throw new Error(`stream ${response.status}: ${error}`)
    const events: OrderStatusEvent[] = []
    for await (const event of readServerSentEvents(response)) {
      if (event.event !== 'status') continue
      const status = JSON.parse(event.data) as OrderStatusEvent
      events.push(status)
      if (until(status.status)) break // leaving the loop closes the stream
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
    // Whole lines only: the sender may be halfway through appending the last one.
    const token = text
      .slice(0, text.lastIndexOf('\n') + 1)
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
