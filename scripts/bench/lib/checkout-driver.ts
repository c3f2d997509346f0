// A small checkout driver for the throughput row: shoppers that never pause (the load
// generator's shoppers rest 3 s after each order, as people do, so hundreds of orders a second
// would need thousands of registered shoppers). Each checkout adds one product to the cart,
// places the order with an approved test card and an Idempotency-Key, and follows the order's
// status stream (polling if the stream is refused) to its final status. A request the platform
// sheds (429/503 with retry-after) is sent again after the time it asks for.
import { randomUUID } from 'node:crypto'
import { orders } from '@emporium/contracts'
import { Agent, request } from 'undici'
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
const isFinal = (status: string) => orders.finalOrderStatuses.includes(status as orders.OrderStatus)

export const agent = new Agent({ keepAliveTimeout: 30_000, connections: 512 })

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

async function call<T>(
  gateway: string,
  shopper: Shopper,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  for (let attempt = 0; ; attempt++) {
    const answer = await callOnce<T>(gateway, shopper, method, path, body, headers)
    if (
      !sheddingStatuses.has(answer.status) ||
      answer.retryAfterSeconds === undefined ||
      attempt >= maxSheddingRetries
    ) {
      return answer
    }
    shed.retried++
    // The same request again (a placement keeps its Idempotency-Key), after the time asked for.
    await sleep(answer.retryAfterSeconds * 1000)
  }
}

async function callOnce<T>(
  gateway: string,
  shopper: Shopper,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: T; retryAfterSeconds?: number }> {
  const response = await request(`${gateway}/api/v1${path}`, {
    method,
    dispatcher: agent,
    headers: {
      authorization: `Bearer ${shopper.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  })
  const text = await response.body.text()
  const retryAfter = Number(response.headers['retry-after'])
  return {
    status: response.statusCode,
    body: (text ? JSON.parse(text) : undefined) as T,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
  }
}

/** One whole checkout; throws on an unexpected answer. */
export async function checkoutOnce(
  gateway: string,
  shopper: Shopper,
  productId: string,
  deadlineMs = 60_000,
): Promise<CheckoutOutcome> {
  const added = await call(gateway, shopper, 'POST', '/cart/items', { productId, quantity: 1 })
  if (added.status >= 300) throw new Error(`add to cart: ${added.status}`)
  const started = performance.now()
  const placed = await call<orders.Order>(
    gateway,
    shopper,
    'POST',
    '/orders',
    { shippingAddress, payment: approvedCard },
    { 'idempotency-key': randomUUID() },
  )
  if (placed.status !== 202 && placed.status !== 201) {
    throw new Error(`place order: ${placed.status} ${JSON.stringify(placed.body)}`)
  }
  const id = placed.body.id
  const deadline = started + deadlineMs
  const status = (await followStream(gateway, shopper, id, deadline)) ?? (await poll())
  return { status, placeToFinalMs: performance.now() - started }

  async function poll(): Promise<string> {
    while (performance.now() < deadline) {
      const order = await call<orders.Order>(gateway, shopper, 'GET', `/orders/${id}`)
      if (order.status === 200 && isFinal(order.body.status)) return order.body.status
      await sleep(100)
    }
    return 'unfinished'
  }
}

/** The final status from the order's event stream; undefined if the stream gave none. */
async function followStream(
  gateway: string,
  shopper: Shopper,
  orderId: string,
  deadline: number,
): Promise<string | undefined> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), Math.max(0, deadline - performance.now()))
  try {
    const response = await request(`${gateway}/api/v1/orders/${orderId}/events`, {
      dispatcher: agent,
      headers: { authorization: `Bearer ${shopper.token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    })
    if (response.statusCode !== 200) {
      await response.body.dump()
      return undefined
    }
    let buffered = ''
    for await (const chunk of response.body) {
      buffered += (chunk as Buffer).toString()
      let end: number
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const frame = buffered.slice(0, end)
        buffered = buffered.slice(end + 2)
        if (!frame.includes('event: status')) continue
        const data = frame.split('\n').find((line) => line.startsWith('data: '))
        const status = data ? (JSON.parse(data.slice(6)) as { status: string }).status : ''
        if (isFinal(status)) return status // leaving the loop closes the stream
      }
    }
    return undefined
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
  }
}
