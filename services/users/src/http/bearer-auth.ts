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
  return {
    async hook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
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
    },
    /** The caller of a request the hook let through. */
    identity(request: FastifyRequest): Identity {
      const identity = identities.get(request)
      if (!identity) throw new Error('route is missing the bearer auth hook')
      return identity
    },
  }
}
