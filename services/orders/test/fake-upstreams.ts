import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeJwt } from 'jose'

export interface FakeRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: any
}

export interface FakeAnswer {
  status: number
  body?: unknown
  /** Milliseconds to wait before answering. */
  delayMs?: number
  headers?: Record<string, string>
}

/**
 * A tiny real HTTP server standing in for one of our own services. `down` makes it drop every
 * connection without an answer (an unreachable upstream); `requests` records what it got.
 */
export async function fakeServer(handle: (request: FakeRequest) => FakeAnswer) {
  const state = { down: false, requests: [] as FakeRequest[] }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      if (state.down) {
        req.socket.destroy()
        return
      }
      const text = Buffer.concat(chunks).toString('utf8')
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      }
      state.requests.push(request)
      const answer = handle(request)
      const send = () => {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
      }
      if (answer.delayMs) setTimeout(send, answer.delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The `sub` of a bearer token, unverified (the fake cart trusts its caller). */
export function subjectOf(authorization: string | undefined): string | undefined {
  const payload = authorization?.split(' ')[1]?.split('.')[1]
  if (!payload) return undefined
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string }).sub
}

export function product(id: string, name: string, amount: number, currency = 'USD') {
  return {
    id,
    sku: `SKU-${id}`,
    name,
    description: `${name}, a fine one`,
    price: { amount, currency },
    category: { id: 'c1', name: 'Home', slug: 'home' },
    imageUrl: `/images/${id}.svg`,
    available: 100,
    createdAt: '2026-01-01T00:00:00.000Z',
  }
}

/** A product with options, as the catalog answers it: its variants with their labels and prices. */
export function productWithVariants(
  id: string,
  name: string,
  variants: Array<{ id: string; label: string; amount: number }>,
) {
  const amounts = variants.map((v) => v.amount)
  return {
    ...product(id, name, Math.min(...amounts)),
    priceRange: {
      min: { amount: Math.min(...amounts), currency: 'USD' },
      max: { amount: Math.max(...amounts), currency: 'USD' },
    },
    variantCount: variants.length,
    options: [{ name: 'Size', values: variants.map((v) => v.label) }],
    variants: variants.map((v) => ({
      id: v.id,
      sku: `SKU-${v.id}`,
      options: { Size: v.label },
      label: v.label,
      price: { amount: v.amount, currency: 'USD' },
      available: 100,
      imageUrl: `/images/${id}.svg`,
    })),
  }
}

export interface FakeCartLine {
  productId: string
  /** The line's variant, as the cart names it (none: the product's first, of its id). */
  variantId?: string
  quantity: number
  unitPrice?: number
  unavailable?: boolean
}

/** When each fake cart (each array of lines) last changed: a new array is a cart written anew. */
const cartWrites = new WeakMap<FakeCartLine[], string>()
let lastWrite = Date.parse('2026-01-01T00:00:00.000Z')
/** Each fake cart's version (the real cart's count of writes): distinct per array. */
const cartVersions = new WeakMap<FakeCartLine[], number>()
let lastVersion = 100

/**
 * A cart as the cart service answers it (its prices may be stale; the catalog's rule). Its
 * `updatedAt` stays the same while `lines` is the same array, as the real cart's does until it
 * is written.
 */
export function cartOf(lines: FakeCartLine[]) {
  if (!cartWrites.has(lines)) cartWrites.set(lines, new Date(++lastWrite).toISOString())
  if (!cartVersions.has(lines)) cartVersions.set(lines, ++lastVersion)
  const items = lines.map((line) => {
    const unitPrice = { amount: line.unitPrice ?? 1, currency: 'USD' }
    return {
      productId: line.productId,
      ...(line.variantId !== undefined ? { variantId: line.variantId } : {}),
      name: `cart name of ${line.productId}`,
      unitPrice,
      quantity: line.quantity,
      lineTotal: {
        amount: line.unavailable ? 0 : unitPrice.amount * line.quantity,
        currency: 'USD',
      },
      ...(line.unavailable ? { unavailable: true } : {}),
    }
  })
  return {
    items,
    subtotal: { amount: items.reduce((sum, i) => sum + i.lineTotal.amount, 0), currency: 'USD' },
    itemCount: lines.filter((l) => !l.unavailable).reduce((sum, l) => sum + l.quantity, 0),
    updatedAt: cartWrites.get(lines)!,
    version: cartVersions.get(lines)!,
  }
}

/** Luhn's check, as payments validates a card number. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** Whether `header` carries orders' service credential for `callee` (its claims, unverified). */
export function isOrdersCredentialFor(
  callee: string,
  header: string | string[] | undefined,
): boolean {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false
  try {
    const claims = decodeJwt(header.slice('Bearer '.length))
    return claims.iss === 'service:orders' && claims.aud === `service:${callee}`
  } catch {
    return false
  }
}

/** A shipping method as the fake shipping service quotes it (its `POST /shipping/quotes`). */
export interface FakeShippingQuote {
  methodId: string
  name: string
  carrier: string
  price: { amount: number; currency: string }
  estimatedDays?: { min: number; max: number }
}

/**
 * The shipping service's `POST /shipping/quotes` as orders calls it: only with orders' service
 * credential (else 401, as the real one), answering the methods `quotes` holds for the
 * destination's country, none for a country it lacks (shipping is then free). Tests change
 * `quotes` as they go.
 */
export function fakeShipping(quotes: ReadonlyMap<string, FakeShippingQuote[]>) {
  return fakeServer((request) => {
    if (!isOrdersCredentialFor('shipping', request.headers['x-service-authorization'])) {
      return { status: 401, body: { status: 401, code: 'AUTH.INVALID_SERVICE_CREDENTIAL' } }
    }
    if (request.method !== 'POST' || request.path !== '/shipping/quotes') return { status: 404 }
    const country = String(request.body?.destination?.country ?? '')
    return { status: 200, body: { quotes: quotes.get(country) ?? [] } }
  })
}
