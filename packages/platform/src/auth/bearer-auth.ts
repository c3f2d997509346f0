import { hasPermission, type Permission } from '@emporium/contracts'
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { AppError, isAppError } from '../errors.js'
import { requestSlot } from '../http/request-slot.js'
import { guestNotAllowed, isGuest } from './guest.js'
import type { JwtVerifier, VerifiedToken } from './jwt-verifier.js'

// A staff route names its permission in its config (issue 19): `{ config: { permission } }`.
// `BearerAuth.enforcePermissions` checks it before anything else, and the generated permission
// tests find every staff route by it.
declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission
  }
}

const identities = requestSlot<VerifiedToken>('emporium.identity')

/** The caller a `bearerAuth` hook verified for this request, if any. */
export function identityOf(request: FastifyRequest): VerifiedToken | undefined {
  return identities.get(request)
}

/** Records the verified caller of a request (for code that verifies by other means). */
export function setIdentity(request: FastifyRequest, identity: VerifiedToken): void {
  identities.set(request, identity)
}

const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/** The token of an `Authorization: Bearer <token>` header; undefined for anything else. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined
  return bearerPattern.exec(header)?.[1]
}

/**
 * The `www-authenticate` challenge of a 401 (RFC 6750): plain when no token came, with
 * `error="invalid_token"` when one came and failed.
 */
export function bearerChallenge(error?: AppError, realm = 'emporium'): string {
  if (!error) return `Bearer realm="${realm}"`
  return `Bearer realm="${realm}", error="invalid_token", error_description="${error.message}"`
}

export function missingToken(): AppError {
  return new AppError('unauthorized', 'AUTH.MISSING_TOKEN', 'A bearer access token is required.')
}

export function missingRole(role: string): AppError {
  return new AppError('forbidden', 'AUTH.FORBIDDEN', `This needs the ${role} role.`)
}

/** The 403 of a staff route for a caller whose roles lack its permission (issue 19). */
export function missingPermission(permission: Permission): AppError {
  return new AppError('forbidden', 'AUTH.FORBIDDEN', `This needs the ${permission} permission.`)
}

export interface BearerAuth {
  /**
   * preHandler: the request must carry a valid bearer access token; its identity is then
   * available through `identityOf(request)`. Otherwise a 401 problem with `www-authenticate`.
   */
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>
  /** preHandler: authenticated and holding `role`; a 403 problem for a caller without it. */
  requireRole(role: string): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /**
   * preHandler: authenticated and holding `permission` through its roles (`permissionsOf` of
   * @emporium/contracts: the legacy `admin` is the owner); a 403 problem otherwise (issue 19).
   */
  requirePermission(
    permission: Permission,
  ): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /**
   * An `onRoute` hook: every route registered after it (in this plugin and the plugins it
   * registers) whose config names a `permission` checks it first, in `onRequest` (before the
   * body is read or validated, so a caller without it learns nothing but the 403):
   * `app.addHook('onRoute', auth.enforcePermissions)`.
   */
  enforcePermissions(route: RouteOptions): void
  /**
   * preHandler: authenticated as an account, not a guest (guest.ts): a guest's cart token is a
   * 403 `AUTH.GUEST_NOT_ALLOWED`.
   */
  requireAccount(request: FastifyRequest, reply: FastifyReply): Promise<void>
}

/**
 * Fastify hooks that re-verify the access token the gateway forwards (services accept identity
 * only from a token they verified themselves, never from a header a client could forge):
 *
 * ```ts
 * const auth = bearerAuth(verifier)
 * app.get('/users/me', { preHandler: auth.authenticate }, (request) => me(identityOf(request)!))
 * app.addHook('onRoute', auth.enforcePermissions)
 * app.post('/products', { config: { permission: 'catalog.write' } }, ...)
 * ```
 */
export function bearerAuth(verifier: JwtVerifier, options: { realm?: string } = {}): BearerAuth {
  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (identities.get(request) !== undefined) return
    const token = bearerToken(request.headers.authorization)
    if (!token) {
      reply.header('www-authenticate', bearerChallenge(undefined, options.realm))
      throw missingToken()
    }
    try {
      identities.set(request, await verifier.verify(token))
    } catch (error) {
      // The platform's error handler renders the problem; headers set here stay on it.
      if (isAppError(error) && error.kind === 'unauthorized') {
        reply.header('www-authenticate', bearerChallenge(error, options.realm))
      }
      throw error
    }
  }
  const requirePermission =
    (permission: Permission) => async (request: FastifyRequest, reply: FastifyReply) => {
      await authenticate(request, reply)
      if (!hasPermission(identities.get(request)!.roles, permission)) {
        throw missingPermission(permission)
      }
    }
  return {
    authenticate,
    requireRole: (role) => async (request, reply) => {
      await authenticate(request, reply)
      if (!identities.get(request)!.roles.includes(role)) throw missingRole(role)
    },
    requirePermission,
    enforcePermissions(route) {
      const permission = route.config?.permission
      if (permission === undefined) return
      const own = route.onRequest === undefined ? [] : [route.onRequest].flat()
      route.onRequest = [requirePermission(permission), ...own]
    },
    async requireAccount(request, reply) {
      await authenticate(request, reply)
      if (isGuest(identities.get(request)!)) throw guestNotAllowed()
    },
  }
}
