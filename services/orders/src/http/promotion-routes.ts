import { Problem, orders } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { ManagePromotions } from '../app/manage-promotions.js'
import { actorOf } from './actor.js'

/** The promotion use cases of the back office, wired by service.ts (issue 18). */
export interface PromotionRoutesDeps extends ManagePromotions {
  verifier: JwtVerifier
}

const tags = ['orders']
const errors = { 401: Problem, 403: Problem }

/**
 * Promotion codes, managed by staff with pricing.write (API.md, "Promotions"): 401 without a
 * token, 403 for anyone else. Shoppers use a code at checkout, never here.
 */
export function promotionRoutes(deps: PromotionRoutesDeps): HttpRoutes {
  return async (app) => {
    // Staff with pricing.write (issue 19): checked first, by the route's config.permission.
    app.addHook('onRoute', bearerAuth(deps.verifier).enforcePermissions)

    app.get(
      '/promotions',
      {
        config: { permission: 'pricing.write' },
        schema: {
          tags,
          summary: 'Promotions, newest first, with their uses (staff: pricing.write)',
          querystring: orders.ListPromotionsQuery,
          response: { 200: orders.PromotionPage, 400: Problem, ...errors },
        },
      },
      async (request) => deps.listPromotions(request.query),
    )

    app.post(
      '/promotions',
      {
        config: { permission: 'pricing.write' },
        schema: {
          tags,
          summary: 'Create a promotion code (staff: pricing.write)',
          body: orders.CreatePromotionBody,
          response: { 201: orders.Promotion, 400: Problem, 409: Problem, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await deps.createPromotion(request.body, actorOf(request))),
    )

    app.get(
      '/promotions/:id',
      {
        config: { permission: 'pricing.write' },
        schema: {
          tags,
          summary: 'One promotion with its uses (staff: pricing.write)',
          params: orders.PromotionParams,
          response: { 200: orders.Promotion, 404: Problem, ...errors },
        },
      },
      async (request) => deps.getPromotion(request.params.id),
    )

    app.patch(
      '/promotions/:id',
      {
        config: { permission: 'pricing.write' },
        schema: {
          tags,
          summary:
            'Change a promotion’s dates, limits, minimum or activity; never its code (staff: pricing.write)',
          params: orders.PromotionParams,
          body: orders.UpdatePromotionBody,
          response: { 200: orders.Promotion, 400: Problem, 404: Problem, ...errors },
        },
      },
      async (request) => deps.updatePromotion(request.params.id, request.body, actorOf(request)),
    )

    app.delete(
      '/promotions/:id',
      {
        config: { permission: 'pricing.write' },
        schema: {
          tags,
          summary: 'Deactivate a promotion: its code is refused from now on (staff: pricing.write)',
          params: orders.PromotionParams,
          response: { 200: orders.Promotion, 404: Problem, ...errors },
        },
      },
      async (request) => deps.deactivatePromotion(request.params.id, actorOf(request)),
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
