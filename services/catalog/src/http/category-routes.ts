import { catalog, Problem } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { Actor } from '../domain/audit-trail.js'
import { actorOf } from './actor.js'

/** The category use cases of the back office, wired by service.ts (issue 17). */
export interface CategoryRoutesDeps {
  verifier: JwtVerifier
  createCategory(body: catalog.CreateCategoryBody, actor?: Actor): Promise<catalog.Category>
  updateCategory(
    id: string,
    body: catalog.UpdateCategoryBody,
    actor?: Actor,
  ): Promise<catalog.Category>
}

const tags = ['catalog']

/**
 * Categories created and changed by admins (issue 17); `GET /categories` stays in routes.ts. A
 * category is not deleted: products, deleted ones too, keep theirs.
 */
export function categoryRoutes(deps: CategoryRoutesDeps): HttpRoutes {
  return async (app) => {
    app.addHook('onRoute', bearerAuth(deps.verifier).enforcePermissions)

    app.post(
      '/categories',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Create a category (staff: catalog.write)',
          body: catalog.CreateCategoryBody,
          response: {
            201: catalog.Category,
            400: Problem,
            401: Problem,
            403: Problem,
            409: Problem,
          },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await deps.createCategory(request.body, actorOf(request))),
    )

    app.patch(
      '/categories/:id',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Rename a category or change its slug (staff: catalog.write)',
          params: catalog.CategoryParams,
          body: catalog.UpdateCategoryBody,
          response: {
            200: catalog.Category,
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
            409: Problem,
          },
        },
      },
      async (request) => deps.updateCategory(request.params.id, request.body, actorOf(request)),
    )
  }
}
