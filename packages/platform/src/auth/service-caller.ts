import type { FastifyReply, FastifyRequest } from 'fastify'
import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWK } from 'jose'
import { AppError, isAppError } from '../errors.js'
import type { Logger } from '../log.js'
import { requestSlot } from '../http/request-slot.js'
import { bearerToken } from './bearer-auth.js'
import type { KeyResolver } from './remote-key-set.js'
import {
  maxServiceTokenSeconds,
  serviceAuthorizationHeader,
  servicePrincipal,
  serviceTokenType,
} from './service-credentials.js'
import type { ServiceTrust } from './service-trust.js'

/** A calling service whose credential verified. */
export interface ServiceCaller {
  /** Its name (`orders`). */
  name: string
  /** The credential's `jti`. */
  tokenId: string
  expiresAt: Date
}

export interface RequireServiceCallerOptions {
  /** This service's name: tokens must carry aud `service:<audience>`. */
  audience: string
  /** Where the keys of each calling service come from. */
  trust: ServiceTrust
  /** The callers this route (or plugin) admits; another trusted service gets a 403. */
  allowed: readonly string[]
  log?: Logger
  /** Credentials that verified, remembered until they expire (default 1,000; 0 turns it off). */
  cachedTokens?: number
}

export type ServiceCallerHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

const callers = requestSlot<ServiceCaller>('emporium.serviceCaller')

/** The calling service a `requireServiceCaller` hook admitted for this request, if any. */
export function serviceCallerOf(request: FastifyRequest): ServiceCaller | undefined {
  return callers.get(request)
}

// Far above any real service token; bounds the work a forged one can cause.
const maxTokenLength = 4 * 1024

export function serviceCredentialRequired(): AppError {
  return new AppError(
    'unauthorized',
    'AUTH.SERVICE_CREDENTIAL_REQUIRED',
    `This route is for other services: a service credential (${serviceAuthorizationHeader}: Bearer <token>) is required.`,
  )
}

export function invalidServiceCredential(cause?: unknown): AppError {
  return new AppError(
    'unauthorized',
    'AUTH.INVALID_SERVICE_CREDENTIAL',
    'The service credential is not valid.',
    { cause },
  )
}

/**
 * A fastify hook (use it as `onRequest` of an encapsulated plugin, or a route's `onRequest`) for
 * routes only other services may call: the request must carry `x-service-authorization: Bearer
 * <jwt>` signed by a key of a trusted caller (typ `service+jwt`, iss `service:<caller>`, sub
 * `<caller>`, aud `service:<audience>`, unexpired, at most 5 minutes long). A missing or bad
 * credential is a 401 problem (`AUTH.SERVICE_CREDENTIAL_REQUIRED`, `AUTH.INVALID_SERVICE_CREDENTIAL`);
 * a valid one from a service not in `allowed` a 403 (`AUTH.SERVICE_CALLER_FORBIDDEN`). A user's
 * access token never passes (another header, `typ`, `iss` and `aud`).
 */
export function requireServiceCaller(options: RequireServiceCallerOptions): ServiceCallerHook {
  const audience = servicePrincipal(options.audience)
  const allowed = new Set(options.allowed)
  const maxEntries = options.cachedTokens ?? 1_000
  const verified = new Map<string, ServiceCaller>()

  async function verify(token: string): Promise<ServiceCaller> {
    const known = verified.get(token)
    if (known) {
      if (known.expiresAt.getTime() > Date.now()) return known
      verified.delete(token)
    }
    if (token.length > maxTokenLength) throw invalidServiceCredential()
    let claimed: unknown
    try {
      claimed = decodeJwt(token).iss
    } catch (error) {
      throw invalidServiceCredential(error)
    }
    const name =
      typeof claimed === 'string' && claimed.startsWith('service:') ? claimed.slice(8) : ''
    const keys = options.trust.keysOf(name)
    if (!keys) throw invalidServiceCredential(new Error(`untrusted issuer ${String(claimed)}`))
    try {
      const { payload } = await jwtVerify(token, keys.getKey, {
        issuer: servicePrincipal(name),
        subject: name,
        audience,
        typ: serviceTokenType,
        algorithms: keys.algorithms,
        clockTolerance: 5,
        maxTokenAge: maxServiceTokenSeconds + 5,
        requiredClaims: ['iat', 'exp', 'jti'],
      })
      if (typeof payload.jti !== 'string' || payload.exp! - payload.iat! > maxServiceTokenSeconds) {
        throw invalidServiceCredential()
      }
      const caller = { name, tokenId: payload.jti, expiresAt: new Date(payload.exp! * 1000) }
      if (maxEntries > 0) {
        if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!)
        verified.set(token, caller)
      }
      return caller
    } catch (error) {
      if (isAppError(error)) throw error
      // Why a credential failed is for the logs, not for whoever forged it.
      options.log?.warn(
        { caller: name, reason: error instanceof Error ? error.message : String(error) },
        'service credential refused',
      )
      if (error instanceof errors.JWTExpired) {
        throw new AppError(
          'unauthorized',
          'AUTH.INVALID_SERVICE_CREDENTIAL',
          'The service credential has expired.',
          { cause: error },
        )
      }
      throw invalidServiceCredential(error)
    }
  }

  return async (request, reply) => {
    if (callers.get(request) !== undefined) return
    const header = request.headers[serviceAuthorizationHeader]
    const token = bearerToken(header)
    try {
      if (header === undefined) throw serviceCredentialRequired()
      if (!token) throw invalidServiceCredential()
      const caller = await verify(token)
      if (!allowed.has(caller.name)) {
        throw new AppError(
          'forbidden',
          'AUTH.SERVICE_CALLER_FORBIDDEN',
          `The ${caller.name} service may not call this route.`,
        )
      }
      callers.set(request, caller)
    } catch (error) {
      if (isAppError(error) && error.kind === 'unauthorized') {
        reply.header('www-authenticate', `Bearer realm="${audience}"`)
      }
      throw error
    }
  }
}

/** The keys of one trusted caller, as `requireServiceCaller` uses them. */
export interface CallerKeys {
  getKey: KeyResolver
  algorithms: string[]
}

/** Keys given up front (public JWKs): the embedded mode, tests, or an inline trust setting. */
export function localCallerKeys(keys: JWK[]): CallerKeys {
  const set = createLocalJWKSet({ keys })
  return { getKey: set, algorithms: ['EdDSA', 'ES256'] }
}
