import Type from 'typebox'
import { Problem, Text, hasPermission, orders } from '@emporium/contracts'
import { bearerAuth, identityOf, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { idempotencyKeyOf } from '../domain/idempotency.js'
import type { CreateRefundRequest } from '../app/refunds.js'
import type { RetryRefundRequest } from '../app/retry-refund.js'
import type { IdempotentResult } from '../app/idempotent-request.js'
import type { ReturnCaller, ReturnsUseCases } from '../app/returns.js'

/** The refund and return use cases, wired by service.ts (issue 19). */
export interface ReturnRoutesDeps extends ReturnsUseCases {
  verifier: JwtVerifier
  createRefund(request: CreateRefundRequest): Promise<IdempotentResult>
  listRefunds(orderId: string): Promise<{ items: orders.Refund[] }>
  retryRefund(request: RetryRefundRequest): Promise<IdempotentResult>
}

const tags = ['orders']
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem }

const RefundHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Text({
      description:
        'Required: 1 to 255 printable characters. A repeat with the same body gets the first ' +
        'response again; with another body, a 422.',
    }),
  ),
})

/**
 * Refunds and returns of an order (API.md, "Refunds and returns"; docs/checkout.md). Staff routes
 * need refunds.write (or orders.read to look); a shopper asks to return lines of their own
 * shipped order and follows it.
 */
export function returnRoutes(deps: ReturnRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)
    const refundsWrite = auth.requirePermission('refunds.write')
    const callerOf = (request: FastifyRequest): ReturnCaller => {
      const identity = identityOf(request)!
      return {
        userId: identity.userId,
        roles: identity.roles,
        canWrite: hasPermission(identity.roles, 'refunds.write'),
        canRead: hasPermission(identity.roles, 'orders.read'),
      }
    }

    app.post(
      '/orders/:id/refunds',
      {
        config: { permission: 'refunds.write' },
        onRequest: refundsWrite,
        preValidation: async (request) => {
          idempotencyKeyOf(request.headers['idempotency-key'])
        },
        schema: {
          tags,
          summary:
            'Refund part of a confirmed or shipped order, by amount or by lines (refunds.write; ' +
            '202: payments refunds it)',
          headers: RefundHeaders,
          params: orders.OrderParams,
          body: orders.CreateRefundBody,
          response: { 202: orders.Refund, ...errors, 422: Problem },
        },
      },
      async (request, reply) => {
        const result = await deps.createRefund({
          caller: callerOf(request),
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

    app.post(
      '/orders/:id/refunds/:refundId/retry',
      {
        config: { permission: 'refunds.write' },
        onRequest: refundsWrite,
        preValidation: async (request) => {
          idempotencyKeyOf(request.headers['idempotency-key'])
        },
        schema: {
          tags,
          summary:
            'Ask again for a refund that failed: a new refund of the same amount or lines, ' +
            'reason and return (refunds.write; 202: payments refunds it)',
          headers: RefundHeaders,
          params: orders.RefundParams,
          response: { 202: orders.Refund, ...errors, 422: Problem },
        },
      },
      async (request, reply) => {
        const result = await deps.retryRefund({
          caller: callerOf(request),
          orderId: request.params.id,
          refundId: request.params.refundId,
          idempotencyKey: idempotencyKeyOf(request.headers['idempotency-key']),
        })
        if (result.replayed) reply.header('idempotent-replayed', 'true')
        return (reply as unknown as FastifyReply)
          .code(result.status)
          .header('content-type', 'application/json; charset=utf-8')
          .send(result.body)
      },
    )

    app.get(
      '/orders/:id/refunds',
      {
        config: { permission: 'orders.read' },
        onRequest: auth.requirePermission('orders.read'),
        schema: {
          tags,
          summary: 'An order’s refunds, oldest first (orders.read)',
          params: orders.OrderParams,
          response: { 200: Type.Object({ items: Type.Array(orders.Refund) }), ...errors },
        },
      },
      async (request) => deps.listRefunds(request.params.id),
    )

    app.post(
      '/orders/:id/returns',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary:
            'Ask to return lines of a shipped order (its shopper, or staff with refunds.write)',
          params: orders.OrderParams,
          body: orders.CreateReturnBody,
          response: { 201: orders.Return, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await deps.requestReturn(callerOf(request), request.params.id, request.body)),
    )

    app.get(
      '/orders/:id/returns',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'An order’s returns, oldest first (its shopper, or staff with orders.read)',
          params: orders.OrderParams,
          response: { 200: orders.ReturnList, ...errors },
        },
      },
      async (request) => deps.listReturns(callerOf(request), request.params.id),
    )

    app.post(
      '/orders/:id/returns/:returnId/receive',
      {
        config: { permission: 'refunds.write' },
        onRequest: refundsWrite,
        schema: {
          tags,
          summary:
            'Record a return’s parcel received, restocking the lines so marked; the received ' +
            'lines are refunded (refunds.write)',
          params: orders.ReturnParams,
          body: orders.ReceiveReturnBody,
          response: { 200: orders.Return, ...errors },
        },
      },
      async (request) =>
        deps.receiveReturn(
          callerOf(request),
          request.params.id,
          request.params.returnId,
          request.body,
        ),
    )

    app.post(
      '/orders/:id/returns/:returnId/reject',
      {
        config: { permission: 'refunds.write' },
        onRequest: refundsWrite,
        schema: {
          tags,
          summary: 'Reject a return still requested (refunds.write)',
          params: orders.ReturnParams,
          body: Type.Optional(orders.RejectReturnBody),
          response: { 200: orders.Return, ...errors },
        },
      },
      async (request) =>
        deps.rejectReturn(
          callerOf(request),
          request.params.id,
          request.params.returnId,
          request.body ?? {},
        ),
    )
  }
}

/** The orders' routes with the refunds' and returns' beside them. */
export function withReturnRoutes(
  routes: HttpRoutes | undefined,
  deps: ReturnRoutesDeps,
): HttpRoutes {
  return async (app) => {
    if (routes) await app.register(routes)
    await app.register(returnRoutes(deps))
  }
}
