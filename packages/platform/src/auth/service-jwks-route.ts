import type { FastifyInstance } from 'fastify'
import type { ServiceCredentials } from './service-credentials.js'

/** Where a calling service publishes the public keys of its service credentials. */
export const serviceJwksPath = '/.well-known/service-jwks.json'

/**
 * Serves `GET /.well-known/service-jwks.json`: the public keys the callees of this service check
 * its credentials with (public data: no credential needed; never routed by the gateway).
 */
export function serveServiceJwks(app: FastifyInstance, credentials: ServiceCredentials): void {
  app.get(serviceJwksPath, { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=60').type('application/jwk-set+json')
    return credentials.publicJwks()
  })
}
