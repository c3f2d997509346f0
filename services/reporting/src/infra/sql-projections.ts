import { sql, type RawBuilder, type Transaction } from 'kysely'
import { deferWrite } from '@emporium/platform'
import type { OrderFact, Projections, Told } from '../app/ports.js'
import { dayOf } from '../domain/days.js'
import { columnList, firstOf, insertRows, recordset } from './insert-rows.js'
import type { ReportingTables } from './tables.js'

/*
 * Each call is one statement, whatever the length of its run: an event's timeline row and its
 * facts are written together (data-modifying CTEs, each writing a table of its own, so none
 * needs to see another's rows), the rows as JSON (insert-rows.ts).
 */

const timelineColumns = {
  event_id: 'text',
  order_id: 'text',
  type: 'text',
  version: 'integer',
  source: 'text',
  occurred_at: 'timestamptz',
  data: 'jsonb',
}

/** The events on the timelines of their orders, as received; `seq` follows their order. */
function insertTimeline(
  events: ReadonlyArray<{ envelope: Told<unknown>['envelope']; orderId: string }>,
) {
  const rows = events.map(({ envelope, orderId }, n) => ({
    n,
    event_id: envelope.id,
    order_id: orderId,
    type: envelope.type,
    version: envelope.version,
    source: envelope.source,
    occurred_at: new Date(envelope.occurredAt),
    data: envelope.data,
  }))
  const list = columnList(Object.keys(timelineColumns))
  return sql`insert into ${sql.table('reporting_order_events')} (${list})
    select ${list} from ${recordset(rows, { n: 'integer', ...timelineColumns })} order by n
    on conflict (event_id) do nothing`
}

/** Events of orders, each on the timeline of its fact's order. */
const onTimelines = <F extends { orderId: string }>(events: readonly Told<F>[]) =>
  insertTimeline(events.map((event) => ({ ...event, orderId: event.fact.orderId })))

const lineColumns = {
  order_id: 'text',
  position: 'integer',
  product_id: 'text',
  variant_id: 'text',
  name: 'text',
  quantity: 'integer',
  unit_price: 'bigint',
  currency: 'text',
}

function insertLines(orders: readonly OrderFact[]) {
  const rows = orders.flatMap((order) =>
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
  return insertRows(
    'reporting_order_lines',
    firstOf(rows, (row) => JSON.stringify([row.order_id, row.position])),
    lineColumns,
    sql`on conflict (order_id, position) do nothing`,
  )
}

const orderColumns = {
  order_id: 'text',
  user_id: 'text',
  currency: 'text',
  total: 'bigint',
  placed_at: 'timestamptz',
  placed_day: 'text',
  confirmed_at: 'timestamptz',
  confirmed_day: 'text',
  cancelled_at: 'timestamptz',
}
type OrderColumn = Exclude<keyof typeof orderColumns, 'order_id' | 'user_id'>
type OrderRow = { order_id: string; user_id: string } & Partial<Record<OrderColumn, unknown>>

/**
 * The orders' rows, where the first value a column got stays (events of one order may arrive in
 * any order). A statement may write a row only once, so a run's rows of one order are merged
 * first, each column's first value kept: the row one upsert after the other would have left.
 */
function upsertOrders(rows: readonly OrderRow[], updated: readonly OrderColumn[]) {
  const merged = new Map<string, Record<string, unknown>>()
  for (const row of rows) {
    const into = merged.get(row.order_id)
    if (!into) merged.set(row.order_id, { ...row })
    else for (const [column, value] of Object.entries(row)) into[column] ??= value
  }
  const columns = Object.fromEntries(
    (['order_id', 'user_id', ...updated] as const).map((c) => [c, orderColumns[c]]),
  )
  const keep = updated.map(
    (c) => sql`${sql.id(c)} = coalesce(reporting_orders.${sql.id(c)}, excluded.${sql.id(c)})`,
  )
  return insertRows(
    'reporting_orders',
    [...merged.values()],
    columns,
    sql`on conflict (order_id) do update set ${sql.join(keep)}`,
  )
}

/** The read models' writes, in an event consumer's transaction (ports.ts: `Projections`). */
export function createSqlProjections(trx: Transaction<ReportingTables>): Projections {
  // Nobody reads what a projection's write returns: each goes with the transaction's next
  // statement or its commit (the last of a batch with the commit, one round trip for both).
  const write = (statement: RawBuilder<unknown>) => deferWrite(trx, statement.compile(trx))

  /** An order's placement or confirmation: on the timeline, the order's row and its lines. */
  async function orderStep(events: readonly Told<OrderFact>[], step: 'placed' | 'confirmed') {
    if (events.length === 0) return
    const rows = events.map(({ fact }) => ({
      order_id: fact.orderId,
      user_id: fact.userId,
      currency: fact.total.currency,
      total: fact.total.amount,
      [`${step}_at`]: fact.at,
      [`${step}_day`]: dayOf(fact.at),
    }))
    await write(sql`with timeline as (${onTimelines(events)}),
      lines as (${insertLines(events.map((event) => event.fact))})
      ${upsertOrders(rows, ['currency', 'total', `${step}_at`, `${step}_day`])}`)
  }

  return {
    async timeline(events) {
      if (events.length === 0) return
      await write(onTimelines(events))
    },

    ordersPlaced: (events) => orderStep(events, 'placed'),

    ordersConfirmed: (events) => orderStep(events, 'confirmed'),

    async ordersCancelled(events) {
      if (events.length === 0) return
      const rows = events.map(({ fact }) => ({
        order_id: fact.orderId,
        user_id: fact.userId,
        cancelled_at: fact.at,
      }))
      const orders = upsertOrders(rows, ['cancelled_at'])
      await write(sql`with timeline as (${onTimelines(events)}) ${orders}`)
    },

    async cartsStarted(carts) {
      if (carts.length === 0) return
      const rows = carts.map((cart) => ({
        cart_id: cart.cartId,
        started_at: cart.at,
        day: dayOf(cart.at),
        guest: cart.guest,
      }))
      await write(
        insertRows(
          'reporting_carts',
          firstOf(rows, (row) => JSON.stringify([row.cart_id, row.started_at.getTime()])),
          { cart_id: 'text', started_at: 'timestamptz', day: 'text', guest: 'boolean' },
          sql`on conflict (cart_id, started_at) do nothing`,
        ),
      )
    },

    async payments(events) {
      if (events.length === 0) return
      const rows = events.map(({ fact }) => ({
        key: fact.key,
        kind: fact.kind,
        order_id: fact.orderId,
        user_id: fact.userId,
        amount: fact.amount,
        currency: fact.currency,
        at: fact.at,
        day: dayOf(fact.at),
      }))
      const payments = insertRows(
        'reporting_payments',
        firstOf(rows, (row) => row.key),
        {
          key: 'text',
          kind: 'text',
          order_id: 'text',
          user_id: 'text',
          amount: 'bigint',
          currency: 'text',
          at: 'timestamptz',
          day: 'text',
        },
        sql`on conflict (key) do nothing`,
      )
      await write(sql`with timeline as (${onTimelines(events)}) ${payments}`)
    },

    async audit(events) {
      if (events.length === 0) return
      const rows = events.map(({ envelope, fact }) => ({
        id: envelope.id,
        actor_id: fact.actor.userId,
        actor_roles: fact.actor.roles,
        action: fact.action,
        entity_type: fact.entity.type,
        entity_id: fact.entity.id,
        before: fact.before,
        after: fact.after,
        at: new Date(fact.at),
        source: envelope.source,
      }))
      const trail = insertRows(
        'audit_trail',
        rows,
        {
          id: 'text',
          actor_id: 'text',
          actor_roles: 'jsonb',
          action: 'text',
          entity_type: 'text',
          entity_id: 'text',
          before: 'jsonb',
          after: 'jsonb',
          at: 'timestamptz',
          source: 'text',
        },
        // A redelivery: the row is there (and may never be updated).
        sql`on conflict (id) do nothing`,
      )
      const onOrders = events.flatMap((event) =>
        event.orderId === null ? [] : [{ ...event, orderId: event.orderId }],
      )
      await write(sql`with trail as (${trail}) ${insertTimeline(onOrders)}`)
    },
  }
}
