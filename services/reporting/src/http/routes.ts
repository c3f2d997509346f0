import Type from 'typebox'
import { Problem, reporting } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { Reports } from '../app/reports.js'
import { dailyCsv, topProductsCsv } from '../domain/csv.js'

const tags = ['reports']
const problems = { 400: Problem, 401: Problem, 403: Problem }
/** A CSV export's body (sent as text/csv, not serialized as JSON). */
const csvBody = Type.String({ description: 'text/csv (RFC 4180): a header row, then the rows.' })

/** `attachment; filename=…` of an export of `from`..`to`. */
function attachment(what: string, query: { from: string; to: string }): string {
  return `attachment; filename="${what}-${query.from}-${query.to}.csv"`
}

/**
 * The reporting service's routes (API.md, "Reports and audit"; the gateway serves them under
 * `/api/v1`): staff only, each route's permission in its config, checked before anything else.
 */
export function reportingRoutes(deps: { verifier: JwtVerifier; reports: Reports }): HttpRoutes {
  return async (app) => {
    app.addHook('onRoute', bearerAuth(deps.verifier).enforcePermissions)
    const { reports } = deps

    app.get(
      '/reports/daily',
      {
        config: { permission: 'reports.read' },
        schema: {
          tags,
          summary: "The day's figures, per UTC day of a range (reports.read)",
          description:
            'Every day from `from` to `to` (inclusive, at most 366), zeros for a quiet day: paid ' +
            'orders and the revenue they captured, average order value, refunds, carts started, ' +
            'conversion (paid orders per cart started) and orders placed. 400 ' +
            '`REPORTING.INVALID_RANGE`.',
          querystring: reporting.DailyQuery,
          response: { 200: reporting.DailyReport, ...problems },
        },
      },
      async (request) => reports.daily(request.query),
    )

    app.get(
      '/reports/daily.csv',
      {
        config: { permission: 'reports.read' },
        schema: {
          tags,
          summary: 'The daily figures as CSV (reports.read)',
          description:
            '`text/csv` (RFC 4180, a header row, amounts in major units): as `GET /reports/daily`.',
          querystring: reporting.DailyQuery,
          response: { 200: csvBody, ...problems },
        },
      },
      async (request, reply) => {
        const csv = dailyCsv(await reports.daily(request.query))
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', attachment('daily', request.query))
          .send(csv)
      },
    )

    app.get(
      '/reports/top-products',
      {
        config: { permission: 'reports.read' },
        schema: {
          tags,
          summary: 'The best-selling products of a range (reports.read)',
          description:
            'Lines of the orders paid in the range and not cancelled since, per product and ' +
            'variant, by revenue (unit price × quantity), then quantity.',
          querystring: reporting.TopProductsQuery,
          response: {
            200: reporting.TopProductList,
            ...problems,
          },
        },
      },
      async (request) => ({ items: (await reports.topProducts(request.query)).items }),
    )

    app.get(
      '/reports/top-products.csv',
      {
        config: { permission: 'reports.read' },
        schema: {
          tags,
          summary: 'The top products as CSV (reports.read)',
          querystring: reporting.TopProductsQuery,
          response: { 200: csvBody, ...problems },
        },
      },
      async (request, reply) => {
        const { currency, items } = await reports.topProducts(request.query)
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', attachment('top-products', request.query))
          .send(topProductsCsv(items, currency))
      },
    )

    app.get(
      '/reports/customers/:userId',
      {
        config: { permission: 'customers.read' },
        schema: {
          tags,
          summary: "A customer's lifetime value (customers.read)",
          description:
            'Paid orders, captured − refunded, refunds and the first and last paid order; zeros ' +
            'for a customer who never paid.',
          params: reporting.CustomerParams,
          querystring: reporting.CustomerQuery,
          response: { 200: reporting.CustomerValue, ...problems },
        },
      },
      async (request) => reports.customer(request.params.userId, request.query),
    )

    app.get(
      '/reports/orders/:orderId/timeline',
      {
        config: { permission: 'orders.read' },
        schema: {
          tags,
          summary: 'Every event that named the order, oldest first (orders.read)',
          description:
            'The events as received (orders, payments, shipping, staff actions on the order), ' +
            'by `occurredAt`, then arrival; empty for an order not heard of.',
          params: reporting.TimelineParams,
          response: { 200: reporting.Timeline, ...problems },
        },
      },
      async (request) => reports.timeline(request.params.orderId),
    )

    app.get(
      '/audit',
      {
        config: { permission: 'audit.read' },
        schema: {
          tags: ['audit'],
          summary: 'The audit trail of staff actions, newest first (audit.read)',
          description:
            'Filters combined with AND; keyset paging by `nextCursor`. 400 ' +
            '`REPORTING.INVALID_CURSOR`, `REPORTING.INVALID_QUERY`.',
          querystring: reporting.AuditQuery,
          response: { 200: reporting.AuditPage, ...problems },
        },
      },
      async (request) => reports.audit(request.query),
    )
  }
}
