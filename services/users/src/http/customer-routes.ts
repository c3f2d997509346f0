import { Problem, users } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'

/** The staff's customer routes (issue 19), wired by service.ts. */
export interface CustomerRoutesDeps {
  verifier: JwtVerifier
  listCustomers(query: users.ListCustomersQuery): Promise<users.CustomerPage>
  getCustomer(id: string): Promise<users.CustomerDetail>
}

const tags = ['identity']

/** The customers list and page: staff with customers.read only (403 otherwise, 401 without). */
export function customerRoutes(deps: CustomerRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)
    app.addHook('onRoute', auth.enforcePermissions)

    app.get(
      '/customers',
      {
        config: { permission: 'customers.read' },
        preHandler: auth.requirePermission('customers.read'),
        schema: {
          tags,
          summary: 'Customers, newest first, searched by e-mail or name (staff: customers.read)',
          querystring: users.ListCustomersQuery,
          response: { 200: users.CustomerPage, 400: Problem, 401: Problem, 403: Problem },
        },
      },
      async (request) => deps.listCustomers(request.query),
    )

    app.get(
      '/customers/:id',
      {
        config: { permission: 'customers.read' },
        preHandler: auth.requirePermission('customers.read'),
        schema: {
          tags,
          summary: 'A customer and their addresses (staff: customers.read)',
          params: users.CustomerParams,
          response: { 200: users.CustomerDetail, 401: Problem, 403: Problem, 404: Problem },
        },
      },
      async (request) => deps.getCustomer(request.params.id),
    )
  }
}

/** `routes` with the customer routes beside them: how service.ts mounts both as one plugin. */
export function withCustomerRoutes(
  routes: HttpRoutes | undefined,
  deps: CustomerRoutesDeps,
): HttpRoutes {
  return async (app) => {
    if (routes) await app.register(routes)
    await app.register(customerRoutes(deps))
  }
}
