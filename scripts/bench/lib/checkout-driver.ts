// A small checkout driver for the throughput row: shoppers that never pause (the load
// generator's shoppers rest 3 s after each order, as people do, so hundreds of orders a second
// would need thousands of registered shoppers). Each checkout adds one product to the cart,
// places the order with an approved test card and an Idempotency-Key, and follows the order's
// status stream (polling if the stream is refused) to its final status. A request the platform
// sheds (429/503 with retry-after) is sent again after the time it asks for.
import { randomUUID } from 'node:crypto'
import {
  createEmporiumClient,
  finalOrderStatuses,
  orderStatusEvents,
  type CallResult,
  type EmporiumClient,
  type OrderStatus,
} from '@emporium/sdk'
import { Agent, fetch, Request } from 'undici'
import { registerShopper } from './platform.js'
import { sleep } from './processes.js'

export interface Shopper {
  userId: string
  token: string
}

export interface CheckoutOutcome {
  status: string
  /** From sending `POST /orders` to seeing the final status, ms. */
  placeToFinalMs: number
}

const approvedCard = {
  cardNumber: '4242424242424242',
  expMonth: 12,
  expYear: new Date().getUTCFullYear() + 3,
  cvc: '123',
}
const shippingAddress = {
  name: 'Bench Shopper',
  line1: '1 Market Street',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}
const isFinal = (status: OrderStatus) => finalOrderStatuses.includes(status)

/** How long a status stream may take to end after the outcome before it is closed. */
const streamEndGraceMs = 1_000

// Quiet between status changes, a status stream's body has no idle timeout (its deadline ends
// it); every other request must be answered whole within requestTimeoutMs.
export const agent = new Agent({
  keepAliveTimeout: 30_000,
  connections: 512,
  headersTimeout: 30_000,
  bodyTimeout: 0,
})
const requestTimeoutMs = 30_000

/** The shopper's typed client of the public API over the driver's connection pool. */
function clientOf(gateway: string, shopper: Shopper): EmporiumClient {
  return createEmporiumClient({
    baseUrl: gateway,
    token: shopper.token,
    // undici's own fetch (for its dispatcher option) takes undici's Request; its types and the
    // copy Node's globals are typed with differ in details that do not matter here.
    Request: Request as unknown as typeof globalThis.Request,
    fetch: (request) =>
      fetch(request as unknown as Request, {
        dispatcher: agent,
      }) as unknown as Promise<globalThis.Response>,
  })
}

export async function registerShoppers(usersOrigin: string, count: number): Promise<Shopper[]> {
  const shoppers: Shopper[] = []
  const worker = async () => {
    while (shoppers.length < count) {
      const { userId, accessToken } = await registerShopper(usersOrigin)
      shoppers.push({ userId, token: accessToken })
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker))
  return shoppers.slice(0, count)
}

/** Answers that ask to come back later: waited for (retry-after) and sent again, a few times. */
const sheddingStatuses = new Set([429, 503])
const maxSheddingRetries = 10

/** Requests shed by the platform (429/503 with retry-after) and sent again, for the report. */
export const shed = { retried: 0 }

/** Sends `send` (again after a shed, as asked), each try answered within the request timeout. */
async function call<T>(
  send: (signal: AbortSignal) => Promise<CallResult<T>>,
): Promise<{ status: number; body: T }> {
  for (let attempt = 0; ; attempt++) {
    const { data, error, response } = await send(AbortSignal.timeout(requestTimeoutMs))
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN)
    if (
      !sheddingStatuses.has(response.status) ||
      !Number.isFinite(retryAfter) ||
      retryAfter < 0 ||
      attempt >= maxSheddingRetries
    ) {
      return { status: response.status, body: (data ?? error) as T }
    }
    shed.retried++
    // The same request again (a placement keeps its Idempotency-Key), after the time asked for.
    await sleep(retryAfter * 1000)
  }
}

/** One whole checkout; throws on an unexpected answer. */
export async function checkoutOnce(
  gateway: string,
  shopper: Shopper,
  productId: string,
  deadlineMs = 60_000,
): Promise<CheckoutOutcome> {
  const api = clientOf(gateway, shopper)
  const added = await call((signal) =>
    api.POST('/api/v1/cart/items', { body: { productId, quantity: 1 }, signal }),
  )
  if (added.status >= 300) throw new Error(`add to cart: ${added.status}`)
  const started = performance.now()
  const key = randomUUID()
  const placed = await call((signal) =>
    api.POST('/api/v1/orders', {
      body: { shippingAddress, payment: approvedCard },
      params: { header: { 'idempotency-key': key } },
      signal,
    }),
  )
  if (placed.status !== 202 && placed.status !== 201) {
    throw new Error(`place order: ${placed.status} ${JSON.stringify(placed.body)}`)
  }
  const id = placed.body.id
  const deadline = started + deadlineMs
  const status = (await followStream(api, id, deadline)) ?? (await poll())
  return { status, placeToFinalMs: performance.now() - started }

  async function poll(): Promise<string> {
    while (performance.now() < deadline) {
      const order = await call((signal) =>
        api.GET('/api/v1/orders/{id}', { params: { path: { id } }, signal }),
      )
      if (order.status === 200 && isFinal(order.body.status)) return order.body.status
      await sleep(100)
    }
    return 'unfinished'
  }
}

/** The final status from the order's event stream; undefined if the stream gave none. */
async function followStream(
  api: EmporiumClient,
  orderId: string,
  deadline: number,
): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(Math.max(0, Math.ceil(deadline - performance.now())))
  // The server ends the stream after the outcome (`until`): read to its end, which keeps the
  // connection (leaving the loop early would close it); given up a moment after the outcome.
  const grace = new AbortController()
  let final: string | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    for await (const event of orderStatusEvents(api, orderId, {
      signal: AbortSignal.any([timeout, grace.signal]),
      until: finalOrderStatuses,
    })) {
      if (final === undefined && isFinal(event.status)) {
        final = event.status
        timer = setTimeout(() => grace.abort(), streamEndGraceMs)
      }
    }
    return final
  } catch {
    return final
  } finally {
    clearTimeout(timer)
  }
}
