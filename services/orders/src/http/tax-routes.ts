import Type from 'typebox'
import { Problem, orders } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { ManageTaxRates } from '../app/manage-tax-rates.js'
import { actorOf } from './actor.js'

/** The tax-rate use cases, wired by service.ts (issue 18). */
export interface TaxRoutesDeps extends ManageTaxRates {
  verifier: JwtVerifier
}

const tags = ['orders']

/**
 * Tax rates by destination and tax class, managed by staff with pricing.write
 * (docs/checkout.md, "Totals and rounding"): 403 for anyone else, 401 without a token.
 */
export function taxRoutes(deps: TaxRoutesDeps): HttpRoutes {
  return async (app) => {
    // Staff with pricing.write (issue 19): checked first, by the route's config.permission.
    app.addHook('onRoute', bearerAuth(deps.verifier).enforcePermissions)

    app.get(
      '/tax-rates',
      {
        config: { permission: 'pricing.write' },
        schema: {
          tags,
          summary: 'Every tax rate (staff: pricing.write)',
          response: { 200: orders.TaxRateList, 401: Problem, 403: Problem },
        },
      },
      async () => deps.listTaxRates(),
    )

    app.put(
      '/tax-rates',
      {
        config: { permission: 'pricing.write' },
        schema: {
          tags,
          summary: 'Set the tax rate of a country or region and tax class (staff: pricing.write)',
          body: orders.PutTaxRateBody,
          response: { 200: orders.TaxRate, 400: Problem, 401: Problem, 403: Problem },
        },
      },
      async (request) => deps.putTaxRate(request.body, actorOf(request)),
    )

    app.delete(
      '/tax-rates/:id',
      {
        config: { permission: 'pricing.write' },
        schema: {
          tags,
          summary: 'Delete a tax rate (staff: pricing.write)',
          params: orders.TaxRateParams,
          response: {
            204: Type.Null({ description: 'Deleted.' }),
            401: Problem,
            403: Problem,
            404: Problem,
          },
        },
      },
      async (request, reply) => {
        await deps.deleteTaxRate(request.params.id, actorOf(request))
        return reply.code(204).send(null)
      },
    )
  }
}

/** `routes` with the tax-rate routes beside them: how service.ts mounts both as one plugin. */
export function withTaxRoutes(routes: HttpRoutes | undefined, deps: TaxRoutesDeps): HttpRoutes {
  return async (app) => {
    if (routes) await app.register(routes)
    await app.register(taxRoutes(deps))
  }
}
