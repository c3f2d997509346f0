import { randomUUID } from 'node:crypto'
import { SignJWT, type JWK } from 'jose'
import { ConfigError } from '../config.js'
import type { Logger } from '../log.js'
import {
  importSigningKey,
  privateJwkProblems,
  readPrivateJwks,
  type PublicSigningJwk,
  type SigningKey,
} from './key-ring.js'

/** The header a service credential travels in (never `authorization`: that is the user's). */
export const serviceAuthorizationHeader = 'x-service-authorization'

/** `typ` of a service credential's header: a user's access token can never pass for one. */
export const serviceTokenType = 'service+jwt'

/** `iss` of the credentials of service `name`; `aud` of those meant for it. */
export function servicePrincipal(name: string): string {
  return `service:${name}`
}

export interface ServiceCredentials {
  /** The calling service's name (`orders`). */
  readonly caller: string
  /**
   * The value of the `x-service-authorization` header for a call to service `audience`:
   * `Bearer <jwt>`, a short-lived token (iss `service:<caller>`, sub `<caller>`, aud
   * `service:<audience>`, iat, exp, jti) signed with the first key. Reused until it nears expiry.
   */
  authorization(audience: string): Promise<string>
  /** The public halves of every key (signing key first): what callees trust. */
  publicJwks(): { keys: PublicSigningJwk[] }
}

export interface ServiceCredentialsOptions {
  /** The calling service's name, lowercase (`orders`, `admin-cli`). */
  caller: string
  /** Its private JWKs (Ed25519 or P-256, each with a `kid`): the first signs, all are published. */
  keys: JWK[]
  /** Lifetime of one token. Default 60 s; at most 300 (callees refuse longer-lived ones). */
  ttlSeconds?: number
  /** For tests: the clock (ms). */
  now?: () => number
}

/** Callees refuse a service token whose exp - iat is longer than this. */
export const maxServiceTokenSeconds = 300

const callerPattern = /^[a-z][a-z0-9-]{0,62}$/

/**
 * The calling side of service-to-service authentication: signs short-lived tokens with the
 * service's own private key. Throws a ConfigError for unusable keys or a bad name.
 */
export function createServiceCredentials(options: ServiceCredentialsOptions): ServiceCredentials {
  const { caller } = options
  const ttlSeconds = options.ttlSeconds ?? 60
  const now = options.now ?? Date.now
  const problems = [
    ...(callerPattern.test(caller) ? [] : [`service name ${JSON.stringify(caller)} is not valid`]),
    ...(ttlSeconds >= 5 && ttlSeconds <= maxServiceTokenSeconds
      ? []
      : [`service token lifetime must be 5 to ${maxServiceTokenSeconds} s`]),
    ...privateJwkProblems(`keys of ${caller}`, JSON.stringify(options.keys)),
  ]
  if (problems.length > 0) throw new ConfigError(problems)
  const publicKeys: PublicSigningJwk[] = options.keys.map((jwk) => ({
    kty: jwk.kty!,
    crv: jwk.crv!,
    x: jwk.x!,
    ...(jwk.y ? { y: jwk.y } : {}),
    kid: jwk.kid!,
    alg: jwk.kty === 'EC' ? 'ES256' : 'EdDSA',
    use: 'sig',
  }))
  let signing: Promise<SigningKey> | undefined
  const cache = new Map<string, { header: string; renewAt: number }>()

  async function issue(audience: string): Promise<string> {
    signing ??= importSigningKey(options.keys[0]!, `keys of ${caller}[0]`)
    const key = await signing
    const issuedAt = Math.floor(now() / 1000)
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: serviceTokenType })
      .setIssuer(servicePrincipal(caller))
      .setSubject(caller)
      .setAudience(servicePrincipal(audience))
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ttlSeconds)
      .setJti(randomUUID())
      .sign(key.privateKey)
    // Renewed at half its life: a token in flight always has time left at the callee.
    cache.set(audience, { header: `Bearer ${jwt}`, renewAt: (issuedAt + ttlSeconds / 2) * 1000 })
    return `Bearer ${jwt}`
  }

  return {
    caller,
    async authorization(audience) {
      const cached = cache.get(audience)
      if (cached && cached.renewAt > now()) return cached.header
      return issue(audience)
    },
    publicJwks: () => ({ keys: publicKeys.map((key) => ({ ...key })) }),
  }
}

export interface ServiceKeySources {
  caller: string
  /** A JSON array of private JWKs (e.g. ORDERS_SERVICE_KEYS). Wins over `file`. */
  keys?: string
  /** A file holding the same, generated with one Ed25519 key (mode 0600) when missing. */
  file?: string
  /** The variables the two come from, for messages. */
  keysVariable: string
  fileVariable: string
  ttlSeconds?: number
  log?: Logger
}

/**
 * The service's credentials from its configuration (ORDERS_SERVICE_KEYS or
 * ORDERS_SERVICE_KEY_FILE), every key checked to be a usable pair. Throws a ConfigError naming
 * the variable.
 */
export async function loadServiceCredentials(
  sources: ServiceKeySources,
): Promise<ServiceCredentials> {
  const { jwks, source, warnings } = await readPrivateJwks(sources)
  for (const warning of warnings) sources.log?.warn(warning)
  await Promise.all(jwks.map((jwk, i) => importSigningKey(jwk, `${source}[${i}]`)))
  return createServiceCredentials({
    caller: sources.caller,
    keys: jwks,
    ...(sources.ttlSeconds ? { ttlSeconds: sources.ttlSeconds } : {}),
  })
}
