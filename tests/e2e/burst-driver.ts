import { randomUUID } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Order } from '@emporium/sdk'
import { cards, replyOf, type ShopClient } from './shop-client.js'

// The burst of issue 14: N buyers, one item each in their cart, place at the same instant for
// fewer units than buyers, through the gateway. Every answer is timed; a 429/503 must carry
// `retry-after`, and its buyer tries again after it (plus a little jitter, as polite clients
// do) with the same Idempotency-Key until a 202 or 409 (a 409 with retry-after says the key is
// still being placed: tried again too). Shared by the end-to-end test and the
// benchmark (scripts/bench/burst.ts).

export interface BurstOptions {
  buyers: number
  units: number
  /** Longest a buyer keeps retrying its placement. */
  retryForMs?: number
  /** Longest the orders may take to reach a final status after the burst. */
  settleMs?: number
}

export interface Answer {
  status: number
  ms: number
  /** `retry-after` in seconds, when the answer carried one. */
  retryAfter?: number
  code?: string
  /** When the request was sent, ms after the burst began (for a slow answer's report). */
  at: number
  /** 0 for the first try, then each retry. */
  attempt: number
  /** `x-emporium-shed` of a shed answer: who shed it (admission, deadline, upstream). */
  shed?: string
}

export interface BurstResult {
  /** Every answer to a placement, first tries and retries. */
  answers: Answer[]
  /** The first try's answer of each buyer. */
  first: Answer[]
  /** Buyers whose placement got no 202/409 in `retryForMs`. */
  unplaced: number
  /** Placements repeated after a 429/503. */
  retries: number
  /** Final status of each placed order, by status. */
  outcomes: Record<string, number>
  /**
   * The longest this (the measuring) process's event loop lagged while placing, ms: a share of
   * every answer's time that is the client's, not the platform's.
   */
  clientLagMaxMs: number
  /** From the first try to the last answer, s. */
  placingSeconds: number
  /** From the first try to every order final, s. */
  settledSeconds: number
  productId: string
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Calls `fn` until it answers something other than 429/503, honouring `retry-after`. */
export async function politely<T extends { status: number; headers: Headers }>(
  fn: () => Promise<T>,
  forMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + forMs
  for (;;) {
    const reply = await fn()
    if ((reply.status !== 429 && reply.status !== 503) || Date.now() > deadline) return reply
    await sleep(Number(reply.headers.get('retry-after') ?? 1) * 1000 + Math.random() * 500)
  }
}

/** One buyer of a burst: its token and its client, on a keep-alive connection of its own. */
export interface Buyer {
  token: string
  client: ShopClient
}

export interface Prepared {
  productId: string
  buyers: Buyer[]
}

/** Ends the buyers' connections. */
export async function closeBuyers(prepared: Prepared): Promise<void> {
  await Promise.all(prepared.buyers.map((buyer) => buyer.client.close()))
}

/** Registers `count` buyers, each with one unit of a new product of `units` in its cart. */
export async function prepareBurst(
  client: ShopClient,
  adminToken: string,
  options: BurstOptions,
): Promise<Prepared> {
  const product = await client.createProduct(adminToken, 999, options.units)
  const buyers: Buyer[] = []
  for (let i = 0; i < options.buyers; i += 20) {
    const batch = Math.min(20, options.buyers - i)
    buyers.push(
      ...(await Promise.all(
        Array.from({ length: batch }, async () => {
          // Each buyer its own connection, opened by its sign-up and kept for its placements.
          const own = client.ownConnection()
          const reply = await politely(() =>
            replyOf(
              own.as().POST('/api/v1/auth/register', {
                body: {
                  email: `burst-${randomUUID()}@e2e.example`,
                  password: 'correct horse battery staple',
                  name: 'Burst Buyer',
                },
              }),
            ),
          )
          if (reply.status !== 201) throw new Error(`register ${reply.status}`)
          const token = reply.body.accessToken
          const added = await politely(() =>
            replyOf(
              own
                .as(token)
                .POST('/api/v1/cart/items', { body: { productId: product.id, quantity: 1 } }),
            ),
          )
          if (added.status !== 200) throw new Error(`cart ${added.status}`)
          return { token, client: own }
        }),
      )),
    )
  }
  return { productId: product.id, buyers }
}

/** Fires every buyer's placement at once, retries shed ones, waits for every order to end. */
export async function runBurst(
  client: ShopClient,
  adminToken: string,
  prepared: Prepared,
  options: BurstOptions,
): Promise<BurstResult> {
  const answers: Answer[] = []
  const first: Answer[] = []
  let retries = 0
  const started = Date.now()
  const startedAt = performance.now()
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const placed = await Promise.all(
    prepared.buyers.map(async (buyer, index) => {
      const key = randomUUID()
      const deadline = Date.now() + (options.retryForMs ?? 120_000)
      for (let attempt = 0; ; attempt++) {
        const began = performance.now()
        const reply = await buyer.client
          .placeOrder(buyer.token, cards.approved, key, { once: true })
          .catch(() => undefined)
        const answer: Answer = {
          status: reply?.status ?? 0,
          ms: performance.now() - began,
          code: (reply?.body as { code?: string } | undefined)?.code,
          at: Math.round(began - startedAt),
          attempt,
        }
        const shedBy = reply?.headers.get('x-emporium-shed')
        if (shedBy) answer.shed = shedBy
        const retryAfter = reply?.headers.get('retry-after')
        if (retryAfter) answer.retryAfter = Number(retryAfter)
        answers.push(answer)
        if (attempt === 0) first[index] = answer
        // 409 with retry-after: the same key is still being placed (a late first try).
        const inProgress = answer.status === 409 && answer.retryAfter !== undefined
        if (answer.status === 202 || (answer.status === 409 && !inProgress)) {
          return answer.status === 202 ? reply!.body.id : undefined
        }
        const shed = answer.status === 429 || answer.status === 503 || inProgress
        if (!shed || answer.retryAfter === undefined || Date.now() > deadline) return undefined
        retries++
        await sleep(answer.retryAfter * 1000 + Math.random() * 1000)
      }
    }),
  )
  const placingSeconds = (Date.now() - started) / 1000
  lag.disable()
  await closeBuyers(prepared)
  const ids = new Set(placed.filter((id): id is string => id !== undefined))
  const final = new Set(['confirmed', 'shipped', 'cancelled'])
  const settleBy = Date.now() + (options.settleMs ?? 120_000)
  let ours: Order[] = []
  for (;;) {
    const all = await politely(async () => {
      try {
        return { status: 200, headers: new Headers(), orders: await client.allOrders(adminToken) }
      } catch {
        return { status: 503, headers: new Headers({ 'retry-after': '1' }), orders: [] }
      }
    })
    ours = all.orders.filter((o) => ids.has(o.id))
    if (ours.length === ids.size && ours.every((o) => final.has(o.status))) break
    if (Date.now() > settleBy) break
    await sleep(1_000)
  }
  const outcomes: Record<string, number> = {}
  for (const order of ours) outcomes[order.status] = (outcomes[order.status] ?? 0) + 1
  const unfinished = ids.size - ours.filter((o) => final.has(o.status)).length
  if (unfinished > 0) outcomes.unfinished = unfinished
  return {
    answers,
    first,
    unplaced:
      placed.length -
      ids.size -
      answers.filter((a) => a.status === 409 && a.retryAfter === undefined).length,
    retries,
    outcomes,
    clientLagMaxMs: Math.round(lag.max / 1e6),
    placingSeconds,
    settledSeconds: (Date.now() - started) / 1000,
    productId: prepared.productId,
  }
}

/** Answers by status, e.g. `{ 202: 50, 503: 250 }`. */
export function countByStatus(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1
  return counts
}
