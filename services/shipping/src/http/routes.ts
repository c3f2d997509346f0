import { Problem, shipping } from '@emporium/contracts'
import {
  bearerAuth,
  serviceAuthorizationHeader,
  type HttpRoutes,
  type JwtVerifier,
  type ServiceCallerHook,
} from '@emporium/platform'
import type { createManageMethods } from '../app/manage-methods.js'
import type { createManageShipments } from '../app/manage-shipments.js'
import type { createManageZones } from '../app/manage-zones.js'
import { methodRoutes } from './method-routes.js'
import { shipmentRoutes } from './shipment-routes.js'
import { zoneRoutes } from './zone-routes.js'

/** The use cases the routes call, wired by service.ts. */
export interface ShippingRoutesDeps {
  verifier: JwtVerifier
  /** Checks a service credential (orders'), when a request carries one. */
  serviceCaller: ServiceCallerHook
  zones: ReturnType<typeof createManageZones>
  methods: ReturnType<typeof createManageMethods>
  quote(body: shipping.QuoteBody): Promise<shipping.QuoteList>
  shipments: ReturnType<typeof createManageShipments>
}

/**
 * The shipping service's routes (API.md, "Shipping"; the gateway serves them under `/api/v1`):
 * quotes for anyone, the rest for staff: zones and methods `shipping.write`, shipments
 * `orders.fulfil` (reading them `orders.read`), each route's config.permission (issue 19).
 */
export function shippingRoutes(deps: ShippingRoutesDeps): HttpRoutes {
  return async (app, options) => {
    // Every back-office route names its permission in its config: checked first (issue 19).
    app.addHook('onRoute', bearerAuth(deps.verifier).enforcePermissions)

    app.post(
      '/shipping/quotes',
      {
        // Anyone may ask (a shopper through the gateway, a guest too); the orders service asks
        // with its service credential, which must then be valid: a forged one is a 401, not a
        // request that passes as anonymous.
        onRequest: async (request, reply) => {
          if (request.headers[serviceAuthorizationHeader] !== undefined) {
            await deps.serviceCaller(request, reply)
          }
        },
        schema: {
          tags: ['shipping'],
          summary: 'Shipping quotes for an order: each method that ships there, cheapest first',
          description:
            'Active methods whose zone covers the destination, in the currency of the subtotal, ' +
            'priced by the rate with the highest `from` at most the weight or subtotal (free from ' +
            '`freeAbove`). An empty list when none ships there.',
          body: shipping.QuoteBody,
          response: { 200: shipping.QuoteList, 400: Problem, 401: Problem, 403: Problem },
        },
      },
      async (request) => deps.quote(request.body),
    )

    await zoneRoutes({ zones: deps.zones })(app, options)
    await methodRoutes({ methods: deps.methods })(app, options)
    await shipmentRoutes({ shipments: deps.shipments })(app, options)
  }
}
