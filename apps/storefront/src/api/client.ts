import type { users } from '@emporium/contracts'
import { session, type Session } from './session'

/** An API failure, with a message fit to show a person. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the shop could not be reached. */
    readonly status: number,
    /** The problem's stable code (`ORDERS.NOT_CANCELLABLE`), when there was one. */
    readonly code?: string,
    /** Seconds to wait before trying again (429, or 503 when the shop sheds a burst). */
    readonly retryAfter?: number,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface RequestOptions {
  method?: string
  body?: unknown
  /** Send the access token (refreshing it first when it is about to expire). */
  auth?: boolean
  headers?: Record<string, string>
  signal?: AbortSignal
}

const base = '/api/v1'
// Refresh this long before the access token expires, so a request never carries a stale one.
const refreshMarginMs = 30_000

/** Calls the public API; resolves with the JSON body, rejects with an ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options, options.auth ? await freshToken() : undefined)
  if (response.status === 401 && options.auth && session.get()) {
    // The token expired early or was revoked: one quiet refresh, then one retry.
    response = await send(path, options, await freshToken(true))
  }
  if (response.ok) {
    if (response.status === 204) return undefined as T
    return (await response.json()) as T
  }
  throw await toError(response)
}

/** A raw authenticated request (the order status stream reads the body itself). */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const withToken = (token: string | undefined) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...bearer(token) },
    })
  let response = await withToken(await freshToken())
  if (response.status === 401 && session.get()) response = await withToken(await freshToken(true))
  if (!response.ok) throw await toError(response)
  return response
}

async function send(path: string, options: RequestOptions, token: string | undefined) {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  try {
    return await fetch(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers: { ...headers, ...bearer(token) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError('The shop could not be reached. Check your connection and try again.', 0)
  }
}

const bearer = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {}

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
  const response = await fetch(`${base}/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ refreshToken: current.refreshToken }),
  }).catch(() => undefined)
  if (!response) return current // offline: keep the session, the request will say so
  if (!response.ok) {
    if (response.status === 401 || response.status === 400) session.set(null)
    return null
  }
  const tokens = (await response.json()) as users.TokenResponse
  const next: Session = {
    user: current.user,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: Date.now() + tokens.expiresIn * 1000,
  }
  session.set(next)
  return next
}

/** Turns a failed response (problem+json or not) into an ApiError with a human message. */
export async function toError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after') ?? '') || undefined
  let problem: { detail?: string; title?: string; code?: string; errors?: FieldProblem[] } = {}
  try {
    problem = (await response.json()) as typeof problem
  } catch {
    // not JSON: fall back to the status
  }
  if (response.status === 429) {
    const wait = retryAfter ?? 1
    return new ApiError(
      `Slow down: too many requests. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.`,
      429,
      problem.code,
      wait,
    )
  }
  let message = problem.detail || problem.title || fallbackMessage(response.status)
  if (problem.errors?.length) {
    message += ` ${problem.errors.map((e) => `${fieldName(e.path)}: ${e.message}`).join('; ')}.`
  }
  return new ApiError(
    message,
    response.status,
    problem.code,
    response.status === 503 ? retryAfter : undefined,
  )
}

interface FieldProblem {
  path: string
  message: string
}

const fieldName = (path: string) => path.replace(/^\//, '').replace(/\//g, ' ') || 'request'

function fallbackMessage(status: number): string {
  if (status === 401) return 'Please sign in again.'
  if (status === 403) return 'You are not allowed to do that.'
  if (status === 404) return 'Not found.'
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.'
  return `The request failed (${status}).`
}

/** A message for anything caught. */
export const messageOf = (error: unknown) =>
  error instanceof Error ? error.message : 'Something went wrong. Please try again.'
