import { sql, type Transaction } from 'kysely'
import type { OrderFact, Projections } from '../app/ports.js'
import { dayOf } from '../domain/days.js'
import type { ReportingTables } from './tables.js'

/** The first value a column got stays (events of one order may arrive in any order). */
const keep = (column: string) =>
  sql`coalesce(reporting_orders.${sql.ref(column)}, excluded.${sql.ref(column)})`

/** The read models' writes, in an event consumer's transaction (ports.ts: `Projections`). */
export function createSqlProjections(trx: Transaction<ReportingTables>): Projections {
  async function upsertOrder(
    order: { orderId: string; userId: string },
    values: Partial<{
      currency: string
      total: number
      placed_at: Date
      placed_day: string
      confirmed_at: Date
      confirmed_day: string
      cancelled_at: Date
    }>,
  ) {
    const columns = Object.keys(values)
    await trx
      .insertInto('reporting_orders')
      .values({ order_id: order.orderId, user_id: order.userId, ...values })
      .onConflict((oc) =>
        oc.column('order_id').doUpdateSet(Object.fromEntries(columns.map((c) => [c, keep(c)]))),
      )
      .execute()
  }

  async function insertLines(order: OrderFact) {
    if (order.lines.length === 0) return
    await trx
      .insertInto('reporting_order_lines')
      .values(
        order.lines.map((line, position) => ({
          order_id: order.orderId,
          position,
          product_id: line.productId,
          variant_id: line.variantId ?? null,
          name: line.name.slice(0, 500),
          quantity: line.quantity,
          unit_price: line.unitPrice,
          currency: line.currency,
        })),
      )
      // The placement and the confirmation carry the same lines: the first told is kept.
      .onConflict((oc) => oc.columns(['order_id', 'position']).doNothing())
      .execute()
  }

  return {
    async recordEvent(envelope, orderId) {
      await trx
        .insertInto('reporting_order_events')
        .values({
          event_id: envelope.id,
          order_id: orderId,
          type: envelope.type,
          version: envelope.version,
          source: envelope.source,
          occurred_at: new Date(envelope.occurredAt),
          data: JSON.stringify(envelope.data),
        })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute()
    },

    async orderPlaced(order) {
      await upsertOrder(order, {
        currency: order.total.currency,
        total: order.total.amount,
        placed_at: order.at,
        placed_day: dayOf(order.at),
      })
      await insertLines(order)
    },

    async orderConfirmed(order) {
      await upsertOrder(order, {
        currency: order.total.currency,
        total: order.total.amount,
        confirmed_at: order.at,
        confirmed_day: dayOf(order.at),
      })
      await insertLines(order)
    },

    async orderCancelled(order) {
      await upsertOrder(order, { cancelled_at: order.at })
    },

    async cartStarted(cart) {
      await trx
        .insertInto('reporting_carts')
        .values({
          cart_id: cart.cartId,
          started_at: cart.at,
          day: dayOf(cart.at),
          guest: cart.guest,
        })
        .onConflict((oc) => oc.columns(['cart_id', 'started_at']).doNothing())
        .execute()
    },

    async payment(fact) {
      await trx
        .insertInto('reporting_payments')
        .values({
          key: fact.key,
          kind: fact.kind,
          order_id: fact.orderId,
          user_id: fact.userId,
          amount: fact.amount,
          currency: fact.currency,
          at: fact.at,
          day: dayOf(fact.at),
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute()
    },

    async audit(envelope, data) {
      await trx
        .insertInto('audit_trail')
        .values({
          id: envelope.id,
          actor_id: data.actor.userId,
          actor_roles: JSON.stringify(data.actor.roles),
          action: data.action,
          entity_type: data.entity.type,
          entity_id: data.entity.id,
          before: data.before === null ? null : JSON.stringify(data.before),
          after: data.after === null ? null : JSON.stringify(data.after),
          at: new Date(data.at),
          source: envelope.source,
        })
        // A redelivery: the row is there (and may never be updated).
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
    },
  }
}
