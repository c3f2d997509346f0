import type { FastifyRequest } from 'fastify'
import { identityOf } from '@emporium/platform'
import type { Actor } from '../domain/audit-trail.js'

/**
 * The staff member behind a back-office write (issue 19): the caller its permission check
 * verified, recorded as the actor of the change's `audit.recorded`. Only for routes whose
 * `config.permission` is checked first: one without a verified caller is a defect.
 */
export function actorOf(request: FastifyRequest): Actor {
  const identity = identityOf(request)
  if (!identity) throw new Error(`no verified caller on ${request.method} ${request.url}`)
  return { userId: identity.userId, roles: identity.roles }
}
