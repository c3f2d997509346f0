import type { JwtVerifier, VerifiedToken } from './jwt-verifier.js'

export interface CachingVerifierOptions {
  /** Tokens remembered at most; the oldest entry is dropped beyond. Default 10,000. */
  maxEntries?: number
  /** Clock (ms); tests move it. */
  now?: () => number
}

/**
 * Remembers each token that verified until it expires, so a client's every request does not
 * repeat the signature check (an Ed25519 verification on a worker thread, the gateway's costliest
 * step per request). Only successes are kept: a bad token is checked, and refused, each time.
 * A cached token stays accepted until its `exp` even if its signing key leaves the JWKS meanwhile
 * (at most an access token's lifetime, 15 minutes), as it would in any service that verifies
 * tokens offline; it is never accepted past `exp`.
 */
export function cachingVerifier(
  inner: JwtVerifier,
  options: CachingVerifierOptions = {},
): JwtVerifier {
  const maxEntries = options.maxEntries ?? 10_000
  const now = options.now ?? Date.now
  // A Map keeps insertion order: the first key is the oldest entry.
  const verified = new Map<string, VerifiedToken>()
  return {
    async verify(token) {
      const known = verified.get(token)
      if (known) {
        if (known.expiresAt.getTime() > now()) return known
        verified.delete(token)
      }
      const result = await inner.verify(token)
      if (result.expiresAt.getTime() > now()) {
        if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!)
        verified.set(token, result)
      }
      return result
    },
  }
}
