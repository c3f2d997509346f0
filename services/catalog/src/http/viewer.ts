import type { FastifyRequest } from 'fastify'
import { hasPermission } from '@emporium/contracts'
import { bearerToken, type JwtVerifier } from '@emporium/platform'
import type { Viewer } from '../app/get-product.js'

/**
 * Who reads a public route (issue 17: staff who write the catalog see drafts, issue 19). A read needs no token, so a missing,
 * expired or invalid one reads as a shopper's rather than failing: a storefront holding a stale
 * token still shows its products.
 */
export function viewerOf(verifier: JwtVerifier) {
  return async (request: FastifyRequest): Promise<Viewer> => {
    const token = bearerToken(request.headers.authorization)
    if (token === undefined) return { admin: false }
    try {
      return { admin: hasPermission((await verifier.verify(token)).roles, 'catalog.write') }
    } catch {
      return { admin: false }
    }
  }
}
