import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWK } from 'jose'
import { AppError, isAppError } from '../errors.js'
import type { Logger } from '../log.js'
import { createRemoteKeySet, type KeyResolver, type RemoteKeySet } from './remote-key-set.js'
import { cachingVerifier } from './caching-verifier.js'
import { revocationListFor, withRevocations } from './revocation-check.js'
import type { RevocationList } from './revocations.js'

/** Who an access token says the caller is, once its signature and claims are checked. */
export interface VerifiedToken {
  /** The account id (`sub`). */
  userId: string
  /** Its roles (`roles`): `customer`, and `admin` for some. */
  roles: string[]
  /** The token's own id (`jti`). */
  tokenId: string
  /** When the token stops being valid (`exp`). */
  expiresAt: Date
  /** The session it belongs to (`sid`: a refresh token family), when it says. */
  sessionId?: string
  /** When it was issued (`iat_ms`, else `iat`), when it says. */
  issuedAt?: Date
}

/**
 * When a token was issued: its `iat_ms` (the users service's tokens carry it: milliseconds, so
 * that a revocation voids the tokens of the account issued before it and not those issued after
 * it in the same second) when it agrees with `iat`, else `iat` (whole seconds).
 */
export function issuedAtOf(payload: { iat?: unknown; iat_ms?: unknown }): Date | undefined {
  const { iat, iat_ms: ms } = payload
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return undefined
  if (typeof ms === 'number' && Number.isFinite(ms) && Math.floor(ms / 1000) === iat) {
    return new Date(ms)
  }
  return new Date(iat * 1000)
}

export interface JwtVerifier {
  /**
   * Checks an access token: signature by a key of the issuer, algorithm among those allowed
   * (never `none`), `iss`, `aud`, `exp` (with a small clock tolerance), and the claims Emporium's
   * tokens carry. Throws AppError `unauthorized` `AUTH.TOKEN_EXPIRED` or `AUTH.INVALID_TOKEN`,
   * or `unavailable` `AUTH.KEYS_UNAVAILABLE` when no key of the issuer was ever obtained.
   */
  verify(token: string): Promise<VerifiedToken>
}

export interface TokenRules {
  /** Expected `iss`, e.g. `emporium-users`. */
  issuer: string
  /** Expected `aud`, e.g. `emporium`. */
  audience: string
  /** Accepted signature algorithms; asymmetric only. */
  algorithms?: string[]
  clockToleranceSeconds?: number
}

export const defaultAlgorithms = ['EdDSA', 'ES256']

// Far above any real access token; bounds the work a forged one can cause.
const maxTokenLength = 8 * 1024

function verifierWith(getKey: KeyResolver, rules: TokenRules, log?: Logger): JwtVerifier {
  const options = {
    issuer: rules.issuer,
    audience: rules.audience,
    algorithms: rules.algorithms ?? defaultAlgorithms,
    clockTolerance: rules.clockToleranceSeconds ?? 5,
    requiredClaims: ['sub', 'exp', 'jti'],
  }
  return {
    async verify(token) {
      if (token.length > maxTokenLength) throw invalidToken()
      try {
        const { payload } = await jwtVerify(token, getKey, options)
        const roles = payload.roles
        if (
          typeof payload.sub !== 'string' ||
          payload.sub === '' ||
          typeof payload.jti !== 'string' ||
          !Array.isArray(roles) ||
          !roles.every((role) => typeof role === 'string')
        ) {
          throw invalidToken()
        }
        const issuedAt = issuedAtOf(payload)
        return {
          userId: payload.sub,
          roles: roles as string[],
          tokenId: payload.jti,
          expiresAt: new Date(payload.exp! * 1000),
          ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
          ...(issuedAt ? { issuedAt } : {}),
        }
      } catch (error) {
        if (isAppError(error)) throw error
        if (error instanceof errors.JWTExpired) {
          throw new AppError('unauthorized', 'AUTH.TOKEN_EXPIRED', 'The access token has expired.')
        }
        // Why a token failed is for the logs, not for whoever forged it.
        log?.debug({ reason: error instanceof Error ? error.message : String(error) }, 'bad token')
        throw invalidToken(error)
      }
    },
  }
}

function invalidToken(cause?: unknown): AppError {
  return new AppError('unauthorized', 'AUTH.INVALID_TOKEN', 'The access token is not valid.', {
    cause,
  })
}

export interface RemoteJwtVerifierOptions extends TokenRules {
  /** The issuer's JWKS, e.g. `http://users:8080/.well-known/jwks.json`. */
  jwksUrl: string
  log?: Logger
  /** Background refresh of the cached keys past this age. */
  keysMaxAgeMs?: number
  /** Least time between two JWKS fetches (refetch on an unknown `kid`, refresh). */
  keysCooldownMs?: number
  keysTimeoutMs?: number
  /** For tests. */
  fetch?: typeof fetch
  /**
   * Tokens that verified are remembered until they expire (`caching-verifier.ts`), so a
   * client's every request does not repeat the signature check. At most this many; 0 turns the
   * cache off. Default 10,000.
   */
  cachedTokens?: number
  /**
   * Revoked tokens to refuse: a list, or the REVOCATIONS_URL that names one (`memory`,
   * `redis://…`; see `revocationListFor`). Default: none.
   */
  revocations?: RevocationList | string
}

/**
 * Verifies access tokens against the issuer's published keys (JWKS), fetched and cached. It
 * keeps verifying from the cache while the issuer is down; a new `kid` (key rotation) is fetched
 * on first sight, at most once per cooldown. Call `keys.refresh()` at start to warm the cache.
 */
export function createJwtVerifier(
  options: RemoteJwtVerifierOptions,
): JwtVerifier & { keys: RemoteKeySet } {
  const keys = createRemoteKeySet({
    url: options.jwksUrl,
    maxAgeMs: options.keysMaxAgeMs,
    cooldownMs: options.keysCooldownMs,
    timeoutMs: options.keysTimeoutMs,
    log: options.log,
    fetch: options.fetch,
  })
  const verifier = verifierWith(keys.getKey, options, options.log)
  const cachedTokens = options.cachedTokens ?? 10_000
  const cached =
    cachedTokens > 0 ? cachingVerifier(verifier, { maxEntries: cachedTokens }) : verifier
  const revocations =
    typeof options.revocations === 'string'
      ? revocationListFor(options.revocations, { log: options.log })
      : options.revocations
  return { ...(revocations ? withRevocations(cached, revocations) : cached), keys }
}

/** Verifies against keys given up front (public JWKs), e.g. in tests. */
export function createLocalJwtVerifier(
  keys: JSONWebKeySet | JWK[],
  rules: TokenRules,
): JwtVerifier {
  const set = createLocalJWKSet(Array.isArray(keys) ? { keys } : keys)
  return verifierWith(set, rules)
}
