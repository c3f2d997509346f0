import { setTimeout as sleep } from 'node:timers/promises'
import type { Order, OrderStatus, Payment, StockLevel } from '@emporium/sdk'
import { createHttp, newThrottle, type CallInit, type Http, type Send } from './http.js'
import { ordersFinal, paymentsReconcile, stockSound } from './invariant-rules.js'
import { createRecorder } from './stats.js'
import type { InvariantOptions, InvariantResult } from './types.js'

interface Session {
  accessToken: string
  user?: { roles: string[] }
}

/** An admin's request settings, or why there is none. */
async function signIn(http: Http, options: InvariantOptions): Promise<CallInit | string> {
  const throttle = newThrottle()
  const label = 'token' in options.admin ? 'the token' : options.admin.email
  let session: Session | undefined
  if ('token' in options.admin) {
    const me = await http.call('users.me', (api) => api.GET('/api/v1/users/me'), {
      token: options.admin.token,
      throttle,
    })
    if (!me.answered || me.status !== 200)
      return `the admin token was not accepted (${describe(me)})`
    session = { accessToken: options.admin.token, user: me.body }
  } else {
    const { email, password } = options.admin
    const login = await http.call(
      'auth.login',
      (api) => api.POST('/api/v1/auth/login', { body: { email, password } }),
      { throttle },
    )
    if (login.answered && login.status === 200) session = login.body
    else if (login.answered && login.status === 401 && options.registerAdmin !== false) {
      const created = await http.call(
        'auth.register',
        (api) =>
          api.POST('/api/v1/auth/register', { body: { email, password, name: 'Load Admin' } }),
        { throttle },
      )
      if (!created.answered || created.status !== 201)
        return `${email} cannot log in (401) nor register (${describe(created)})`
      session = created.body
    } else return `${email} cannot log in (${describe(login)})`
  }
  if (!session.user?.roles.includes('admin'))
    return `${label} is not an admin (grant it with \`npm run admin -- grant ${label}\` while the platform runs, then run again)`
  return { token: session.accessToken, throttle }
}

function describe(reply: Awaited<ReturnType<Http['call']>>): string {
  if (reply.answered) return `HTTP ${reply.status}`
  return reply.outcome.kind === 'error' ? reply.outcome.error : reply.outcome.kind
}

async function get<T>(http: Http, what: string, send: Send<T>, init: CallInit): Promise<T> {
  const reply = await http.call('admin', send, init)
  if (!reply.answered || reply.status !== 200) throw new Error(`${what}: ${describe(reply)}`)
  return reply.body
}

interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/** Every page of a list: `send` asks for the page after `cursor` (none: the first). */
async function walk<T>(
  http: Http,
  what: string,
  send: (cursor: string | undefined) => Send<Page<T>>,
  init: CallInit,
): Promise<T[]> {
  const items: T[] = []
  let cursor: string | undefined
  do {
    const page: Page<T> = await get(http, what, send(cursor), init)
    items.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return items
}

/** Every order (an admin's view). */
const allOrders = (http: Http, init: CallInit) =>
  walk<Order>(
    http,
    'GET /orders?all=true',
    (cursor) => (api) =>
      api.GET('/api/v1/orders', { params: { query: { all: true, limit: 100, cursor } } }),
    init,
  )

/**
 * Waits (up to `seconds`) until no order is open: pending, awaiting payment, or payment_failed
 * (declined, its stock held until the shopper pays again or cancels, or its deadline); true if
 * none is.
 */
async function settle(http: Http, init: CallInit, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000
  for (;;) {
    let open = 0
    for (const status of [
      'pending',
      'awaiting_payment',
      'payment_failed',
    ] satisfies OrderStatus[]) {
      const page = await get(
        http,
        `GET /orders?status=${status}`,
        (api) => api.GET('/api/v1/orders', { params: { query: { all: true, limit: 1, status } } }),
        init,
      )
      open += page.items.length
    }
    if (open === 0) return true
    if (Date.now() >= deadline) return false
    await sleep(1_000)
  }
}

async function stockLevels(http: Http, init: CallInit, ids: readonly string[]) {
  const levels: StockLevel[] = []
  let next = 0
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      const reply = await http.call(
        'admin',
        (api) => api.GET('/api/v1/products/{id}/stock', { params: { path: { id } } }),
        { ...init, expect: [404] },
      )
      if (reply.answered && reply.status === 200) levels.push(reply.body)
      else if (!reply.answered || reply.status !== 404)
        throw new Error(`stock of ${id}: ${describe(reply)}`)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  return levels
}

/**
 * Checks, as an admin over the public API, what must hold after a run once the platform has
 * settled: no order stuck before a final status, stock never negative (and none held once no
 * order is open), captured money equal to the confirmed totals. When no admin can sign in the
 * check is skipped (one result with `skipped: true` saying why), not failed.
 */
export async function checkInvariants(options: InvariantOptions): Promise<InvariantResult[]> {
  const stop = new AbortController()
  const http = createHttp({
    baseUrl: options.baseUrl,
    recorder: createRecorder(),
    timeoutMs: (options.requestTimeoutSeconds ?? 30) * 1000,
    maxRetryWaitMs: 60_000,
    stop: stop.signal,
    connections: 16,
  })
  const settleSeconds = options.settleSeconds ?? 30
  try {
    const init = await signIn(http, options)
    if (typeof init === 'string')
      return [{ name: 'invariants', ok: true, skipped: true, detail: `skipped: ${init}` }]
    const results: InvariantResult[] = []
    const attempt = async (name: string, check: () => Promise<InvariantResult>) => {
      try {
        results.push(await check())
      } catch (error) {
        results.push({ name, ok: false, detail: `could not check: ${(error as Error).message}` })
      }
    }
    let noneOpen = false
    let all: Order[] = []
    await attempt('orders final', async () => {
      noneOpen = await settle(http, init, settleSeconds)
      all = await allOrders(http, init)
      return ordersFinal(all, settleSeconds)
    })
    await attempt('stock never negative', async () =>
      stockSound(await stockLevels(http, init, [...new Set(options.productIds ?? [])]), noneOpen),
    )
    await attempt('payments reconcile', async () => {
      // Refunds follow cancellations by an event: give the ledger a few more looks.
      const deadline = Date.now() + Math.max(5, settleSeconds / 3) * 1000
      for (;;) {
        const list = await walk<Payment>(
          http,
          'GET /payments',
          (cursor) => (api) =>
            api.GET('/api/v1/payments', { params: { query: { limit: 100, cursor } } }),
          init,
        )
        const ledger = await get(
          http,
          'GET /payments/reconciliation',
          (api) => api.GET('/api/v1/payments/reconciliation'),
          init,
        )
        const result = paymentsReconcile(all, list, ledger)
        if (result.ok || Date.now() >= deadline) return result
        await sleep(1_000)
        all = await allOrders(http, init)
      }
    })
    return results
  } finally {
    stop.abort()
    await http.close()
  }
}
