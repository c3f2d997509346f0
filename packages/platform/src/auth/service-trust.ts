import type { JWK } from 'jose'
import { ConfigError } from '../config.js'
import type { Logger } from '../log.js'
import { createRemoteKeySet } from './remote-key-set.js'
import { localCallerKeys, type CallerKeys } from './service-caller.js'

/**
 * Where a trusted caller's public keys come from: its `/.well-known/service-jwks.json` (fetched,
 * cached, refetched on an unknown `kid`), or public JWKs given here.
 */
export type TrustedCallerKeys = { jwksUrl: string } | { keys: JWK[] }

/** The services a callee trusts, each with the keys its credentials are checked against. */
export interface ServiceTrust {
  /** The names of the trusted callers. */
  readonly callers: readonly string[]
  /** The keys of caller `name`; undefined for a service not trusted. */
  keysOf(name: string): CallerKeys | undefined
  /** Fetches the JWKS of every caller given by URL (at start: warms the caches). */
  refresh(): Promise<void>
}

export interface ServiceTrustOptions {
  log?: Logger
  /** For tests. */
  fetch?: typeof fetch
  /** Least time between two fetches of one caller's JWKS. Default 10 s. */
  keysCooldownMs?: number
}

/** A ServiceTrust over the given callers. */
export function createServiceTrust(
  callers: Record<string, TrustedCallerKeys>,
  options: ServiceTrustOptions = {},
): ServiceTrust {
  const keys = new Map<string, CallerKeys>()
  const remotes: Array<() => Promise<boolean>> = []
  for (const [name, source] of Object.entries(callers)) {
    if ('keys' in source) {
      keys.set(name, localCallerKeys(source.keys))
      continue
    }
    const remote = createRemoteKeySet({
      url: source.jwksUrl,
      // Short enough that a key published for rotation is seen well within the 10 minutes the
      // rotation procedure waits; an unknown `kid` is fetched at once anyway.
      maxAgeMs: 2 * 60_000,
      cooldownMs: options.keysCooldownMs ?? 10_000,
      log: options.log,
      fetch: options.fetch,
    })
    keys.set(name, { getKey: remote.getKey, algorithms: ['EdDSA', 'ES256'] })
    remotes.push(remote.refresh)
  }
  return {
    callers: [...keys.keys()],
    keysOf: (name) => (Object.hasOwn(callers, name) ? keys.get(name) : undefined),
    async refresh() {
      await Promise.all(remotes.map((refresh) => refresh()))
    },
  }
}

const namePattern = /^[a-z][a-z0-9-]{0,62}$/

/**
 * Parses a trusted-callers setting (e.g. PAYMENTS_TRUSTED_CALLERS): a JSON object from caller
 * name to its JWKS URL (`"http://orders:8080/.well-known/service-jwks.json"`) or its public
 * keys (an array of public JWKs, or a JWKS document `{"keys": [...]}`). Empty means none.
 * Throws a ConfigError naming the variable.
 */
export function parseTrustedCallers(
  variable: string,
  text: string,
): Record<string, TrustedCallerKeys> {
  if (text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ConfigError([`${variable} is not valid JSON (want {"<service>": "<jwks url>"})`])
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`${variable} must be a JSON object {"<service>": "<jwks url>"}`])
  }
  const problems: string[] = []
  const result: Record<string, TrustedCallerKeys> = {}
  for (const [name, value] of Object.entries(parsed)) {
    const where = `${variable}.${name}`
    if (!namePattern.test(name)) {
      problems.push(`${variable}: ${JSON.stringify(name)} is not a service name`)
    } else if (typeof value === 'string') {
      if (/^https?:\/\/[^\s]+$/.test(value)) result[name] = { jwksUrl: value }
      else problems.push(`${where} must be an http(s) URL of a JWKS`)
    } else {
      const keys = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys
      const bad = !Array.isArray(keys) || keys.length === 0 || !keys.every(isPublicJwk)
      if (bad) problems.push(`${where} must be a JWKS URL or a non-empty array of public JWKs`)
      else result[name] = { keys: keys as JWK[] }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return result
}

function isPublicJwk(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const k = value as Record<string, unknown>
  const known = (k.kty === 'OKP' && k.crv === 'Ed25519') || (k.kty === 'EC' && k.crv === 'P-256')
  // A private key pasted where a public one belongs is refused, not silently spread around.
  return known && typeof k.x === 'string' && typeof k.kid === 'string' && k.d === undefined
}
