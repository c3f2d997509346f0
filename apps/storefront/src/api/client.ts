import { createEmporiumClient } from '@emporium/sdk'
import { shopperMessage, Unreachable } from './problems'
import { session, type Session } from './session'

export { unwrap } from '@emporium/sdk'
export { Unreachable } from './problems'

/** fetch, with a failure to reach the shop told apart from the shop's answers. */
async function reach(request: Request): Promise<Response> {
  try {
    return await fetch(request)
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new Unreachable()
  }
}

/**
 * A request the shop shed (503 with `retry-after` and `x-emporium-shed`: nothing of it ran, or a
 * placement that its Idempotency-Key replays) is sent again after the short wait it asks for,
 * twice at most, before the page shows it: under a burst a listing or a search answers a moment
 * later instead of an error. A longer wait reaches the page (the checkout says it is retrying).
 */
const retryShed = { attempts: 2, maxWaitSeconds: 3 }

/**
 * The public API as this tab's shopper: the access token of the session when signed in
 * (refreshed first when it is about to expire, and once more after a 401), none when not.
 */
export const shop = createEmporiumClient({
  baseUrl: location.origin,
  token: () => freshToken(),
  onUnauthorized: () => freshToken(true),
  fetch: reach,
  retryShed,
})

// Without the session's token: the refresh itself, which must not wait for a refresh.
const anonymous = createEmporiumClient({ baseUrl: location.origin, fetch: reach, retryShed })

// Refresh this long before the access token expires, so a request never carries a stale one.
const refreshMarginMs = 30_000

let refreshing: Promise<Session | null> | undefined

/**
 * The access token, refreshed first when it is about to expire (or when `force`). Every caller
 * shares one refresh in flight: refresh tokens are single use, and spending one twice revokes
 * the whole session.
 */
async function freshToken(force = false): Promise<string | undefined> {
  const current = session.get()
  if (!current) return undefined
  if (!force && current.expiresAt - Date.now() > refreshMarginMs) return current.accessToken
  refreshing ??= refresh(current).finally(() => (refreshing = undefined))
  return (await refreshing)?.accessToken
}

async function refresh(current: Session): Promise<Session | null> {
  // Another caller may have refreshed while this one waited.
  const latest = session.get()
  if (latest && latest.refreshToken !== current.refreshToken) return latest
  const answer = await anonymous
    .POST('/api/v1/auth/refresh', { body: { refreshToken: current.refreshToken } })
    .catch(() => undefined)
  if (!answer) return current // offline: keep the session, the request will say so
  const tokens = answer.data
  if (!tokens) {
    if (answer.response.status === 401 || answer.response.status === 400) session.set(null)
    return null
  }
  const next: Session = {
    user: current.user,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: Date.now() + tokens.expiresIn * 1000,
  }
  session.set(next)
  return next
}

/** A message fit to show a person, for anything caught (never an API field path). */
export const messageOf = (error: unknown): string => shopperMessage(error)
