import { randomBytes } from 'node:crypto'
import type { TokenResponse } from '@emporium/sdk'
import { newThrottle, type Http, type Throttle } from './http.js'
import { loadShoppers, saveShoppers, type StoredShopper } from './shopper-state.js'

/** A virtual shopper: an account with its own tokens and its own rate-limit quota. */
export interface Shopper extends StoredShopper {
  token?: string
  /** When the access token expires (epoch ms). */
  expiresAt: number
  throttle: Throttle
  /** Leased by a cart or checkout scenario (one at a time, so their carts do not mix). */
  busy: boolean
  /** Not leased again before this (epoch ms): see `release`. */
  restUntil: number
  renewing?: Promise<boolean>
}

type Tokens = TokenResponse

export interface PoolSummary {
  pool: number
  reused: number
  loggedIn: number
  registered: number
  note?: string
}

/** Renew an access token this long before it expires. */
const renewMarginMs = 60_000

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * The pool of shoppers. Setup reuses the accounts of earlier runs (refresh token, else login)
 * and registers the rest, stopping at the first refusal (the registration limit is 10 an hour
 * per address by default), so a pool may end smaller than asked.
 */
export function createShopperPool(options: { http: Http; size: number; statePath?: string }) {
  const { http, size, statePath } = options
  const target = http.target
  const shoppers: Shopper[] = []
  let unused: StoredShopper[] = []
  const registerThrottle = newThrottle()
  const loginThrottle = newThrottle()
  let cursor = 0
  let lastFailure = 'registration refused'

  const shopperOf = (stored: StoredShopper): Shopper => ({
    ...stored,
    expiresAt: 0,
    throttle: newThrottle(),
    busy: false,
    restUntil: 0,
  })

  function signedIn(shopper: Shopper, tokens: Tokens) {
    shopper.token = tokens.accessToken
    shopper.refreshToken = tokens.refreshToken
    shopper.expiresAt = Date.now() + tokens.expiresIn * 1000
  }

  async function refresh(shopper: Shopper): Promise<boolean> {
    if (!shopper.refreshToken) return false
    const refreshToken = shopper.refreshToken
    const reply = await http.call(
      'auth.refresh',
      (api) => api.POST('/api/v1/auth/refresh', { body: { refreshToken } }),
      { expect: [401], throttle: shopper.throttle },
    )
    if (reply.answered && reply.status === 200) signedIn(shopper, reply.body)
    else if (reply.answered && reply.status === 401) shopper.refreshToken = undefined
    return reply.answered && reply.status === 200
  }

  async function login(shopper: Shopper): Promise<'ok' | 'rejected' | 'failed'> {
    const { email, password } = shopper
    const reply = await http.call(
      'auth.login',
      (api) => api.POST('/api/v1/auth/login', { body: { email, password } }),
      { expect: [401], throttle: loginThrottle },
    )
    if (reply.answered && reply.status === 200) {
      signedIn(shopper, reply.body)
      return 'ok'
    }
    return reply.answered && reply.status === 401 ? 'rejected' : 'failed'
  }

  async function register(): Promise<'ok' | 'taken' | 'failed'> {
    const shopper = shopperOf({
      email: `shopper-${randomBytes(6).toString('hex')}@loadgen.emporium.test`,
      password: randomBytes(12).toString('base64url'),
    })
    const { email, password } = shopper
    const reply = await http.call(
      'auth.register',
      (api) =>
        api.POST('/api/v1/auth/register', { body: { email, password, name: 'Load Shopper' } }),
      { expect: [409], throttle: registerThrottle },
    )
    if (reply.answered && reply.status === 201) {
      signedIn(shopper, reply.body)
      shoppers.push(shopper)
      return 'ok'
    }
    if (reply.answered && reply.status === 409) return 'taken'
    const outcome = reply.outcome
    lastFailure =
      outcome.kind === 'throttled'
        ? 'registration throttled (429: the gateway allows GATEWAY_REGISTER_LIMIT_PER_CLIENT ' +
          'registrations per address a window, 10 an hour by default; later runs reuse the ' +
          'accounts kept in the state file)'
        : `registration failed (${outcome.kind === 'error' ? outcome.error : outcome.kind})`
    return 'failed'
  }

  return {
    shoppers,
    async setup(): Promise<PoolSummary> {
      const summary: PoolSummary = { pool: 0, reused: 0, loggedIn: 0, registered: 0 }
      const stored = statePath ? await loadShoppers(statePath, target) : []
      const candidates = stored.slice(0, size)
      unused = stored.slice(size)
      let loginFailed = false
      await mapLimit(candidates, 4, async (entry) => {
        const shopper = shopperOf(entry)
        if (await refresh(shopper)) {
          summary.reused++
          shoppers.push(shopper)
          return
        }
        const outcome = loginFailed ? 'failed' : await login(shopper)
        if (outcome === 'ok') {
          summary.loggedIn++
          shoppers.push(shopper)
        } else if (outcome === 'failed') {
          // Throttled or unreachable: keep the account for another run.
          loginFailed = true
          unused.push(entry)
        }
        // 'rejected': the account is gone (a fresh database); forget it.
      })
      let refused = false
      let taken = 0
      const missing = Array.from({ length: Math.max(0, size - shoppers.length) }, (_, i) => i)
      await mapLimit(missing, 4, async () => {
        if (refused) return
        const outcome = await register()
        if (outcome === 'ok') summary.registered++
        else if (outcome === 'failed' || ++taken >= 3) refused = true
      })
      summary.pool = shoppers.length
      if (shoppers.length < size) {
        summary.note = `${shoppers.length} of ${size} shoppers signed in: ${lastFailure}`
      }
      await this.save()
      return summary
    },

    /** A free shopper for a scenario that changes its cart, or undefined when all are busy. */
    lease(): Shopper | undefined {
      const now = Date.now()
      for (let i = 0; i < shoppers.length; i++) {
        const shopper = shoppers[(cursor + i) % shoppers.length]!
        const ready = shopper.throttle.until <= now && shopper.restUntil <= now
        if (!shopper.busy && shopper.token && ready) {
          cursor = (cursor + i + 1) % shoppers.length
          shopper.busy = true
          return shopper
        }
      }
      return undefined
    },
    /**
     * Frees a leased shopper, resting `restMs` first. After an order the cart service empties
     * the cart when it hears `order.confirmed`, a moment after the order shows confirmed: a
     * new cart filled in that moment would be emptied under the shopper (a real shopper does
     * not start the next order within a second or two).
     */
    release(shopper: Shopper, restMs = 0) {
      shopper.busy = false
      shopper.restUntil = Date.now() + restMs
    },
    /** Any signed-in shopper (round robin), busy or not: for scenarios that only read. */
    any(): Shopper | undefined {
      for (let i = 0; i < shoppers.length; i++) {
        const shopper = shoppers[(cursor + i) % shoppers.length]!
        if (shopper.token) {
          cursor = (cursor + i + 1) % shoppers.length
          return shopper
        }
      }
      return undefined
    },

    /** A valid access token, renewed (refresh, else login) when it is about to expire. */
    async token(shopper: Shopper): Promise<string | undefined> {
      if (shopper.token && shopper.expiresAt - Date.now() > renewMarginMs) return shopper.token
      shopper.renewing ??= (async () => {
        try {
          return (await refresh(shopper)) || (await login(shopper)) === 'ok'
        } finally {
          shopper.renewing = undefined
        }
      })()
      if (!(await shopper.renewing) && shopper.expiresAt <= Date.now()) shopper.token = undefined
      return shopper.token
    },

    /** Writes the accounts (with their latest refresh tokens) for the next run. */
    async save() {
      if (!statePath) return
      const keep = shoppers.map(({ email, password, refreshToken }) => ({
        email,
        password,
        ...(refreshToken ? { refreshToken } : {}),
      }))
      await saveShoppers(statePath, target, [...keep, ...unused])
    },
  }
}
export type ShopperPool = ReturnType<typeof createShopperPool>
