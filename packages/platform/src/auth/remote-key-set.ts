import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'

export interface RemoteKeySetOptions {
  /** The issuer's JWKS document, e.g. `http://users:8080/.well-known/jwks.json`. */
  url: string
  /** Keys older than this are refreshed in the background, while still used meanwhile. */
  maxAgeMs?: number
  /**
   * Least time between two fetches, whether the last one succeeded or failed: a flood of
   * tokens with unknown `kid`s, or an issuer that is down, costs at most one fetch per period.
   */
  cooldownMs?: number
  /** Deadline of one fetch. */
  timeoutMs?: number
  log?: Logger
  /** For tests: the fetch to use. */
  fetch?: typeof fetch
  /** For tests: the clock. */
  now?: () => number
}

export type KeyResolver = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey>

export interface RemoteKeySet {
  /** jose's key resolver: the key for a token's header, from the cached set. */
  getKey: KeyResolver
  /** Fetches the set now, unless a fetch is under way; resolves with whether it succeeded. */
  refresh(): Promise<boolean>
  /** How many keys are cached and when they were fetched. */
  status(): { keys: number; fetchedAt?: Date; lastError?: string }
}

// Before any key was fetched every token fails, so the issuer is asked again sooner.
const coldCooldownMs = 1_000

/**
 * The issuer's public keys, fetched and kept: verification goes on from the last set fetched
 * while the issuer is down, however old it is (jose's createRemoteJWKSet would refuse to verify
 * once its cache is older than `cacheMaxAge` and the refetch fails). A token signed with a key
 * not in the set triggers a refetch (key rotation), at most once per cooldown.
 */
export function createRemoteKeySet(options: RemoteKeySetOptions): RemoteKeySet {
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000
  const cooldownMs = options.cooldownMs ?? 30_000
  const timeoutMs = options.timeoutMs ?? 3_000
  const fetchImpl = options.fetch ?? fetch
  const now = options.now ?? Date.now
  let local: ReturnType<typeof createLocalJWKSet> | undefined
  let keyCount = 0
  let fetchedAt = 0
  let attemptedAt = Number.NEGATIVE_INFINITY
  let lastError: string | undefined
  let pending: Promise<boolean> | undefined

  async function load(): Promise<boolean> {
    attemptedAt = now()
    try {
      const response = await fetchImpl(options.url, {
        headers: { accept: 'application/jwk-set+json, application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      })
      if (response.status !== 200) throw new Error(`answered ${response.status}`)
      const set = (await response.json()) as JSONWebKeySet
      local = createLocalJWKSet(set) // validates the document's shape
      keyCount = set.keys.length
      fetchedAt = now()
      if (lastError !== undefined) options.log?.info({ url: options.url }, 'JWKS fetched again')
      lastError = undefined
      return true
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error)
      options.log?.warn(
        { url: options.url, err: lastError, cachedKeys: keyCount },
        local ? 'JWKS fetch failed; verifying with the cached keys' : 'JWKS fetch failed',
      )
      return false
    }
  }

  function refresh(): Promise<boolean> {
    pending ??= load().finally(() => {
      pending = undefined
    })
    return pending
  }

  const coolingDown = () => now() - attemptedAt < (local ? cooldownMs : coldCooldownMs)

  async function getKey(header: JWSHeaderParameters, token: FlattenedJWSInput) {
    // A fetch under way (the one at start) is waited for; else one per cold cooldown.
    if (!local && (pending || !coolingDown())) await refresh()
    if (!local) {
      throw new AppError('unavailable', 'AUTH.KEYS_UNAVAILABLE', 'Tokens cannot be verified now.', {
        details: { retryAfterSeconds: Math.ceil(coldCooldownMs / 1000) },
      })
    }
    if (now() - fetchedAt > maxAgeMs && !coolingDown()) void refresh()
    try {
      return await local(header, token)
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || coolingDown()) throw error
      await refresh()
      return local(header, token)
    }
  }

  return {
    getKey,
    refresh,
    status: () => ({
      keys: keyCount,
      ...(fetchedAt ? { fetchedAt: new Date(fetchedAt) } : {}),
      ...(lastError ? { lastError } : {}),
    }),
  }
}
