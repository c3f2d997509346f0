import { identityOf } from '@emporium/platform'
import type { FastifyRequest } from 'fastify'
import type { StaffActor as Actor } from '@emporium/contracts'

/** The verified staff caller of a route that names its permission: the audit's actor. */
export function actorOf(request: FastifyRequest): Actor {
  const identity = identityOf(request)!
  return { userId: identity.userId, roles: identity.roles }
}
