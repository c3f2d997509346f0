import { hasPermission, payments, Problem } from '@emporium/contracts'
import {
  bearerAuth,
  identityOf,
  type HttpRoutes,
  type JwtVerifier,
  type ServiceCallerHook,
} from '@emporium/platform'
import type { Caller } from '../app/list-payments.js'

/** The use cases the routes call, wired by service.ts. */
export interface PaymentsRoutesDeps {
  verifier: JwtVerifier
  /** Admits the services that may call the `/internal` routes (orders), by their credential. */
  internalCaller: ServiceCallerHook
  tokenizeCard(body: payments.TokenizeCardBody): Promise<payments.PaymentMethod>
  listPayments(caller: Caller, query: payments.ListPaymentsQuery): Promise<payments.PaymentPage>
  reconciliation(): Promise<payments.Reconciliation>
}

/**
 * `GET /payments` (API.md; the gateway serves it under `/api/v1`), the staff's reconciliation of
 * the ledger, and `POST /internal/payment-methods` for the orders service (never in the gateway's
 * table).
 */
export function paymentsRoutes(deps: PaymentsRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)
    // Staff routes name their permission in their config: checked first (issue 19).
    app.addHook('onRoute', auth.enforcePermissions)

    app.get(
      '/payments',
      {
        preHandler: auth.authenticate,
        schema: {
          tags: ['payments'],
          summary:
            "List payments, newest first: the caller's own, or anyone's for staff with payments.read",
          description:
            'A payment appears once the provider has been asked (authorized or later); one still ' +
            'waiting for the processor is not listed.',
          querystring: payments.ListPaymentsQuery,
          response: { 200: payments.PaymentPage, 400: Problem, 401: Problem },
        },
      },
      async (request) => {
        const identity = identityOf(request)!
        const caller = {
          userId: identity.userId,
          canReadAll: hasPermission(identity.roles, 'payments.read'),
        }
        return deps.listPayments(caller, request.query)
      },
    )

    app.get(
      '/payments/reconciliation',
      {
        config: { permission: 'payments.read' },
        schema: {
          tags: ['payments'],
          summary:
            'Ledger sums per currency and orders captured more than once (staff: payments.read)',
          response: { 200: payments.Reconciliation, 401: Problem, 403: Problem },
        },
      },
      async () => deps.reconciliation(),
    )

    app.post(
      '/internal/payment-methods',
      {
        // Checked before the body is read: a caller without a credential learns nothing.
        onRequest: deps.internalCaller,
        schema: {
          tags: ['internal'],
          summary: 'Tokenize a card (orders, at placement); keeps no number or CVC',
          description:
            'Only for the orders service: `x-service-authorization: Bearer <service credential>`.',
          body: payments.TokenizeCardBody,
          response: {
            201: payments.PaymentMethod,
            400: Problem,
            401: Problem,
            403: Problem,
            429: Problem,
            503: Problem,
          },
        },
      },
      async (request, reply) => reply.code(201).send(await deps.tokenizeCard(request.body)),
    )
  }
}
