import { Problem, orders } from '@emporium/contracts'
import { bearerAuth, identityOf, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { NoteAuthor } from '../app/order-notes.js'

/** The staff's order routes (issue 19), wired by service.ts. */
export interface BackofficeRoutesDeps {
  verifier: JwtVerifier
  addOrderNote(author: NoteAuthor, orderId: string, text: string): Promise<orders.OrderNote>
  listOrderNotes(orderId: string): Promise<orders.OrderNoteList>
}

const tags = ['orders']

/**
 * Internal notes of an order: staff only (a shopper gets the 403 whatever the order), never part
 * of the order the shopper reads. The order search and the staff cancel are routes.ts's.
 */
export function backofficeRoutes(deps: BackofficeRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)
    app.addHook('onRoute', auth.enforcePermissions)

    app.post(
      '/orders/:id/notes',
      {
        config: { permission: 'orders.manage' },
        preHandler: auth.requirePermission('orders.manage'),
        schema: {
          tags,
          summary: 'Add an internal note to an order (staff: orders.manage; audited)',
          params: orders.OrderParams,
          body: orders.AddOrderNoteBody,
          response: {
            201: orders.OrderNote,
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
          },
        },
      },
      async (request, reply) => {
        const identity = identityOf(request)!
        const note = await deps.addOrderNote(
          { userId: identity.userId, roles: identity.roles },
          request.params.id,
          request.body.text,
        )
        return reply.code(201).send(note)
      },
    )

    app.get(
      '/orders/:id/notes',
      {
        config: { permission: 'orders.read' },
        preHandler: auth.requirePermission('orders.read'),
        schema: {
          tags,
          summary: 'An order’s internal notes, oldest first (staff: orders.read)',
          params: orders.OrderParams,
          response: { 200: orders.OrderNoteList, 401: Problem, 403: Problem, 404: Problem },
        },
      },
      async (request) => deps.listOrderNotes(request.params.id),
    )
  }
}

/** `routes` with the staff's order routes beside them: how service.ts mounts both as one plugin. */
export function withBackofficeRoutes(
  routes: HttpRoutes | undefined,
  deps: BackofficeRoutesDeps,
): HttpRoutes {
  return async (app) => {
    if (routes) await app.register(routes)
    await app.register(backofficeRoutes(deps))
  }
}
