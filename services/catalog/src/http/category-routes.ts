import { catalog, Problem } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'

/** The category use cases of the back office, wired by service.ts (issue 17). */
export interface CategoryRoutesDeps {
  verifier: JwtVerifier
  createCategory(body: catalog.CreateCategoryBody): Promise<catalog.Category>
  updateCategory(id: string, body: catalog.UpdateCategoryBody): Promise<catalog.Category>
}

const tags = ['catalog']

/**
 * Categories created and changed by admins (issue 17); `GET /categories` stays in routes.ts. A
 * category is not deleted: products, deleted ones too, keep theirs.
 */
export function categoryRoutes(deps: CategoryRoutesDeps): HttpRoutes {
  return async (app) => {
    const admin = bearerAuth(deps.verifier).requireRole('admin')

    app.post(
      '/categories',
      {
        preHandler: admin,
        schema: {
          tags,
          summary: 'Create a category (admin)',
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
      async (request, reply) => reply.code(201).send(await deps.createCategory(request.body)),
    )

    app.patch(
      '/categories/:id',
      {
        preHandler: admin,
        schema: {
          tags,
          summary: 'Rename a category or change its slug (admin)',
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
      async (request) => deps.updateCategory(request.params.id, request.body),
    )
  }
}
