import { Problem, orders } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { ManagePromotions } from '../app/manage-promotions.js'

/** The promotion use cases of the back office, wired by service.ts (issue 18). */
export interface PromotionRoutesDeps extends ManagePromotions {
  verifier: JwtVerifier
}

const tags = ['orders']
const errors = { 401: Problem, 403: Problem }

/**
 * Promotion codes, managed by admins (API.md, "Promotions"): every route is an admin's (401
 * without a token, 403 for anyone else). Shoppers use a code at checkout, never here.
 */
export function promotionRoutes(deps: PromotionRoutesDeps): HttpRoutes {
  return async (app) => {
    const admin = bearerAuth(deps.verifier).requireRole('admin')

    app.get(
      '/promotions',
      {
        onRequest: admin,
        schema: {
          tags,
          summary: 'Promotions, newest first, with their uses (admin)',
          querystring: orders.ListPromotionsQuery,
          response: { 200: orders.PromotionPage, 400: Problem, ...errors },
        },
      },
      async (request) => deps.listPromotions(request.query),
    )

    app.post(
      '/promotions',
      {
        onRequest: admin,
        schema: {
          tags,
          summary: 'Create a promotion code (admin)',
          body: orders.CreatePromotionBody,
          response: { 201: orders.Promotion, 400: Problem, 409: Problem, ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(await deps.createPromotion(request.body)),
    )

    app.get(
      '/promotions/:id',
      {
        onRequest: admin,
        schema: {
          tags,
          summary: 'One promotion with its uses (admin)',
          params: orders.PromotionParams,
          response: { 200: orders.Promotion, 404: Problem, ...errors },
        },
      },
      async (request) => deps.getPromotion(request.params.id),
    )

    app.patch(
      '/promotions/:id',
      {
        onRequest: admin,
        schema: {
          tags,
          summary:
            'Change a promotion’s dates, limits, minimum or activity; never its code (admin)',
          params: orders.PromotionParams,
          body: orders.UpdatePromotionBody,
          response: { 200: orders.Promotion, 400: Problem, 404: Problem, ...errors },
        },
      },
      async (request) => deps.updatePromotion(request.params.id, request.body),
    )

    app.delete(
      '/promotions/:id',
      {
        onRequest: admin,
        schema: {
          tags,
          summary: 'Deactivate a promotion: its code is refused from now on (admin)',
          params: orders.PromotionParams,
          response: { 200: orders.Promotion, 404: Problem, ...errors },
        },
      },
      async (request) => deps.deactivatePromotion(request.params.id),
    )
  }
}

/** `routes` with the promotion routes beside them: how service.ts mounts both as one plugin. */
export function withPromotionRoutes(
  routes: HttpRoutes | undefined,
  deps: PromotionRoutesDeps,
): HttpRoutes {
  return async (app) => {
    if (routes) await app.register(routes)
    await app.register(promotionRoutes(deps))
  }
}
