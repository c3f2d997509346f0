import Type from 'typebox'
import { Problem, Text, hasPermission, orders } from '@emporium/contracts'
import {
  bearerAuth,
  isGuest,
  type AdmissionLimit,
  identityOf,
  serveServiceJwks,
  type HttpRoutes,
  type JwtVerifier,
  type ServiceCredentials,
} from '@emporium/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { idempotencyKeyOf } from '../domain/idempotency.js'
import type { Caller } from '../app/manage-order.js'
import type { PlaceOrderRequest, PlaceOrderResult } from '../app/place-order.js'
import type { QuoteRequest } from '../app/quote-checkout.js'
import type { RetryPaymentRequest } from '../app/retry-payment.js'

/** The use cases the routes call, wired by service.ts. */
export interface OrdersRoutesDeps {
  verifier: JwtVerifier
  /** The service's credentials, whose public keys its callees fetch (service-jwks.json). */
  credentials: ServiceCredentials
  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult>
  listOrders(caller: Caller, query: orders.ListOrdersQuery): Promise<orders.OrderPage>
  getOrder(caller: Caller, orderId: string): Promise<orders.Order>
  /** With staff's optional reason and note (issue 19), and the caller's roles for the audit. */
  cancelOrder(
    caller: Caller,
    orderId: string,
    request?: orders.CancelOrderBody & { roles?: readonly string[] },
  ): Promise<orders.Order>
  /** By staff: the verified caller, the audit's actor (issue 19). */
  shipOrder(
    orderId: string,
    actor: { userId: string; roles: readonly string[] },
  ): Promise<orders.Order>
  retryPayment(request: RetryPaymentRequest): Promise<PlaceOrderResult>
  quoteCheckout(request: QuoteRequest): Promise<orders.Quote>
  /** A guest's order through its signed link (404 for a token that is not one). */
  orderByLink(token: string): Promise<orders.Order>
  /** Admission control of placements: a request that cannot start in time is a 503 at once. */
  placementAdmission?: AdmissionLimit
}

const tags = ['orders']

const PlaceOrderHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Text({
      description:
        'Required: 1 to 255 printable characters. A repeat with the same body gets the first ' +
        'response again; with another body, a 422.',
    }),
  ),
})

/**
 * API.md's Orders table at the service's root (the gateway strips `/api/v1`). Every route
 * verifies the bearer token itself; a customer sees only their own orders (someone else's is a
 * 404), staff with orders.read everyone's (issue 19).
 */
export function ordersRoutes(deps: OrdersRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)
    // Staff routes name their permission in their config: checked first (issue 19).
    app.addHook('onRoute', auth.enforcePermissions)
    serveServiceJwks(app, deps.credentials)
    const callerOf = (request: FastifyRequest): Caller => {
      const identity = identityOf(request)!
      return {
        userId: identity.userId,
        canReadAll: hasPermission(identity.roles, 'orders.read'),
        canManage: hasPermission(identity.roles, 'orders.manage'),
      }
    }
    const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem }
    const guestOf = (request: FastifyRequest) => isGuest(identityOf(request)!)

    app.post(
      '/orders',
      {
        // Shed before anything ran (no key stored): a retry with the same key is a first try.
        config: { admission: deps.placementAdmission },
        onRequest: auth.authenticate,
        // Before the body is validated: a missing key is named as such whatever the body.
        preValidation: async (request) => {
          idempotencyKeyOf(request.headers['idempotency-key'])
        },
        schema: {
          tags,
          summary: 'Place the caller’s cart as an order (202: pending; the saga continues)',
          headers: PlaceOrderHeaders,
          body: orders.PlaceOrderBody,
          response: {
            202: orders.Order,
            400: Problem,
            401: Problem,
            409: Problem,
            422: Problem,
            503: Problem,
          },
        },
      },
      async (request, reply) => {
        const result = await deps.placeOrder({
          userId: callerOf(request).userId,
          guest: guestOf(request),
          authorization: request.headers.authorization!,
          idempotencyKey: idempotencyKeyOf(request.headers['idempotency-key']),
          body: request.body,
        })
        // Answered already at the route's deadline (503 with retry-after): the order stands,
        // and the client's repeat with the same key replays it.
        if (reply.sent) return reply
        if (result.replayed) reply.header('idempotent-replayed', 'true')
        // The stored text itself, so that a replay is byte for byte the first answer (it is
        // an Order serialized once; the typed reply only knows objects).
        return (reply as unknown as FastifyReply)
          .code(result.status)
          .header('content-type', 'application/json; charset=utf-8')
          .send(result.body)
      },
    )

    app.post(
      '/orders/quote',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary:
            'What placing the caller’s cart would cost now: lines, discount, shipping options, ' +
            'tax and total (nothing is reserved)',
          body: orders.QuoteBody,
          response: { 200: orders.Quote, ...errors, 422: Problem, 503: Problem },
        },
      },
      async (request) =>
        deps.quoteCheckout({
          userId: callerOf(request).userId,
          guest: guestOf(request),
          authorization: request.headers.authorization!,
          body: request.body,
        }),
    )

    app.get(
      '/order-links/:token',
      {
        schema: {
          tags,
          summary: 'A guest’s order through the signed link mailed at its confirmation',
          params: Type.Object({
            token: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' }),
          }),
          response: { 200: orders.Order, 400: Problem, 404: Problem },
        },
      },
      async (request) => deps.orderByLink(request.params.token),
    )

    app.get(
      '/orders',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary:
            'The caller’s orders, newest first (everyone’s with all=true: staff, orders.read)',
          querystring: orders.ListOrdersQuery,
          response: { 200: orders.OrderPage, 400: Problem, 401: Problem, 403: Problem },
        },
      },
      async (request) => deps.listOrders(callerOf(request), request.query),
    )

    app.get(
      '/orders/:id',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'One order (someone else’s is a 404, except for staff with orders.read)',
          params: orders.OrderParams,
          response: { 200: orders.Order, 401: Problem, 404: Problem },
        },
      },
      async (request) => deps.getOrder(callerOf(request), request.params.id),
    )

    app.post(
      '/orders/:id/cancel',
      {
        onRequest: auth.authenticate,
        // The body is optional (a shopper sends none): absent, it is the empty one.
        config: { optionalBody: true },
        schema: {
          tags,
          summary:
            'Cancel an order until it ships (a paid one is refunded); staff (orders.manage) ' +
            'may give a reason and a note',
          params: orders.OrderParams,
          body: orders.CancelOrderBody,
          response: { 202: orders.Order, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(202).send(
          await deps.cancelOrder(callerOf(request), request.params.id, {
            ...request.body,
            roles: identityOf(request)!.roles,
          }),
        ),
    )

    app.post(
      '/orders/:id/ship',
      {
        config: { permission: 'orders.fulfil' },
        schema: {
          tags,
          summary: 'Mark a confirmed order shipped (staff: orders.fulfil)',
          params: orders.OrderParams,
          response: { 200: orders.Order, ...errors },
        },
      },
      async (request) => {
        const { userId, roles } = identityOf(request)!
        return deps.shipOrder(request.params.id, { userId, roles })
      },
    )

    app.post(
      '/orders/:id/payment-attempts',
      {
        onRequest: auth.authenticate,
        preValidation: async (request) => {
          idempotencyKeyOf(request.headers['idempotency-key'])
        },
        schema: {
          tags,
          summary:
            'Pay an order whose payment failed again, with another card (202: awaiting_payment)',
          headers: PlaceOrderHeaders,
          params: orders.OrderParams,
          body: orders.PaymentAttemptBody,
          response: {
            202: orders.Order,
            400: Problem,
            401: Problem,
            404: Problem,
            409: Problem,
            422: Problem,
            429: Problem,
            503: Problem,
          },
        },
      },
      async (request, reply) => {
        const result = await deps.retryPayment({
          userId: callerOf(request).userId,
          orderId: request.params.id,
          idempotencyKey: idempotencyKeyOf(request.headers['idempotency-key']),
          body: request.body,
        })
        if (result.replayed) reply.header('idempotent-replayed', 'true')
        return (reply as unknown as FastifyReply)
          .code(result.status)
          .header('content-type', 'application/json; charset=utf-8')
          .send(result.body)
      },
    )
  }
}
