import { createEmporiumClient, EmporiumProblem, type FieldProblem } from '@emporium/sdk'
import { session, type Session } from './session'

export { unwrap } from '@emporium/sdk'

/** A request that never reached the shop (offline, DNS, a dropped connection). */
export class Unreachable extends Error {
  constructor() {
    super('The shop could not be reached. Check your connection and try again.')
    this.name = 'Unreachable'
  }
}

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
 * The public API as this tab's shopper: the access token of the session when signed in
 * (refreshed first when it is about to expire, and once more after a 401), none when not.
 */
export const shop = createEmporiumClient({
  baseUrl: location.origin,
  token: () => freshToken(),
  onUnauthorized: () => freshToken(true),
  fetch: reach,
})

// Without the session's token: the refresh itself, which must not wait for a refresh.
const anonymous = createEmporiumClient({ baseUrl: location.origin, fetch: reach })

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

/** A message fit to show a person, for anything caught. */
export function messageOf(error: unknown): string {
  if (error instanceof EmporiumProblem) return problemMessage(error)
  return error instanceof Error ? error.message : 'Something went wrong. Please try again.'
}

function problemMessage(problem: EmporiumProblem): string {
  if (problem.status === 429) {
    const wait = problem.retryAfter ?? 1
    return `Slow down: too many requests. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.`
  }
  // An answer that is no problem document (a proxy's error page) says nothing fit to show.
  const documented = problem.headers?.get('content-type')?.includes('json') ?? false
  let message = (documented && (problem.detail || problem.title)) || fallbackMessage(problem.status)
  if (problem.errors?.length) {
    message += ` ${problem.errors.map((e) => `${fieldName(e)}: ${e.message}`).join('; ')}.`
  }
  return message
}

const fieldName = (field: FieldProblem) =>
  field.path.replace(/^\//, '').replace(/\//g, ' ') || 'request'

function fallbackMessage(status: number): string {
  if (status === 401) return 'Please sign in again.'
  if (status === 403) return 'You are not allowed to do that.'
  if (status === 404) return 'Not found.'
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.'
  return `The request failed (${status}).`
}
