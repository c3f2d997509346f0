import type { FastifyReply, FastifyRequest } from 'fastify'
import { Unauthenticated } from '../app/authenticate.js'
import type { Identity } from '../app/ports.js'

/**
 * Authentication of protected routes, as an `onRequest` hook (before the body is even parsed)
 * and a lookup of the identity it established for the handler. A failure is a 401 problem with
 * `www-authenticate: Bearer` (RFC 6750); the platform's error handler keeps headers set here.
 */
export function createBearerAuth(
  authenticate: (authorization: string | undefined) => Promise<Identity>,
) {
  const identities = new WeakMap<FastifyRequest, Identity>()
  const establish = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      identities.set(request, await authenticate(request.headers.authorization))
    } catch (error) {
      if (error instanceof Unauthenticated) {
        reply.header(
          'www-authenticate',
          error.reason === 'missing'
            ? 'Bearer realm="emporium"'
            : 'Bearer realm="emporium", error="invalid_token"',
        )
      }
      throw error
    }
  }
  return {
    hook: establish,
    /**
     * The hook of a route that anyone may call but that does more for a signed-in caller: with
     * no `Authorization` header the caller is anonymous; a header that is there must be valid
     * (else the same 401 as a protected route), never silently ignored.
     */
    async optionalHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (request.headers.authorization === undefined) return
      await establish(request, reply)
    },
    /** The caller of a request the hook let through. */
    identity(request: FastifyRequest): Identity {
      const identity = identities.get(request)
      if (!identity) throw new Error('route is missing the bearer auth hook')
      return identity
    },
    /** The caller of a request the optional hook let through; `undefined` when anonymous. */
    optionalIdentity(request: FastifyRequest): Identity | undefined {
      return identities.get(request)
    },
  }
}
