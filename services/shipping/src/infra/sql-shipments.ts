import type { Kysely, Transaction } from 'kysely'
import { shipping as events, type shipping } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { OrderCopy, ShipmentStore } from '../app/ports.js'
import { recordChange } from './audit-outbox.js'
import type { ShippingTables } from './tables.js'

type Executor = Kysely<ShippingTables> | Transaction<ShippingTables>

type ShipmentRow = {
  id: string
  order_id: string
  carrier: string
  tracking_number: string
  status: 'shipped' | 'delivered'
  created_at: Date
  delivered_at: Date | null
}

const shipmentColumns = [
  'id',
  'order_id',
  'carrier',
  'tracking_number',
  'status',
  'created_at',
  'delivered_at',
] as const

/** Shipments with their lines, in the order of `rows`. */
async function withLines(db: Executor, rows: ShipmentRow[]): Promise<shipping.Shipment[]> {
  if (rows.length === 0) return []
  const lines = await db
    .selectFrom('shipment_lines')
    .select(['shipment_id', 'product_id', 'variant_id', 'quantity'])
    .where(
      'shipment_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('shipment_id')
    .orderBy('variant_id')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    orderId: row.order_id,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    lines: lines
      .filter((line) => line.shipment_id === row.id)
      .map((line) => ({
        productId: line.product_id,
        variantId: line.variant_id,
        quantity: line.quantity,
      })),
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    ...(row.delivered_at ? { deliveredAt: new Date(row.delivered_at).toISOString() } : {}),
  }))
}

/** The order's copy, its row locked for the rest of the transaction; undefined if never heard. */
async function lockOrder(
  trx: Transaction<ShippingTables>,
  orderId: string,
): Promise<OrderCopy | undefined> {
  const order = await trx
    .selectFrom('shipping_orders')
    .select(['order_id', 'user_id', 'confirmed', 'cancelled'])
    .where('order_id', '=', orderId)
    .forUpdate()
    .executeTakeFirst()
  if (!order) return undefined
  const lines = await trx
    .selectFrom('shipping_order_lines')
    .select(['product_id', 'variant_id', 'quantity', 'shipped'])
    .where('order_id', '=', orderId)
    .orderBy('variant_id')
    .execute()
  return {
    orderId: order.order_id,
    userId: order.user_id,
    confirmed: order.confirmed,
    cancelled: order.cancelled,
    lines: lines.map((line) => ({
      productId: line.product_id,
      variantId: line.variant_id,
      quantity: line.quantity,
      shipped: line.shipped,
    })),
  }
}

/**
 * Shipments in PostgreSQL (PGlite embedded). A shipment locks its order's copy first: two
 * shipments of one order, on any replicas, are decided one after the other, so neither ships
 * what the other took.
 */
export function createSqlShipments(deps: {
  database: Database<ShippingTables>
  outbox: Outbox
}): ShipmentStore {
  const { database, outbox } = deps
  const { db } = database
  return {
    ship: (shipment, plan, record) =>
      database.transaction(async (trx) => {
        const order = await lockOrder(trx, shipment.orderId)
        if (!order || !order.confirmed) return { ok: false, reason: 'order_not_found' } as const
        if (order.cancelled) return { ok: false, reason: 'order_cancelled' } as const
        const allocation = plan(order)
        if (!allocation.ok) return allocation
        await trx
          .insertInto('shipments')
          .values({
            id: shipment.id,
            order_id: order.orderId,
            user_id: order.userId,
            carrier: shipment.carrier,
            tracking_number: shipment.trackingNumber,
            status: 'shipped',
            created_at: shipment.at,
            delivered_at: null,
          })
          .execute()
        await trx
          .insertInto('shipment_lines')
          .values(
            allocation.lines.map((line) => ({
              shipment_id: shipment.id,
              product_id: line.productId,
              variant_id: line.variantId,
              quantity: line.quantity,
            })),
          )
          .execute()
        for (const line of allocation.lines) {
          await trx
            .updateTable('shipping_order_lines')
            .set((eb) => ({ shipped: eb('shipped', '+', line.quantity) }))
            .where('order_id', '=', order.orderId)
            .where('variant_id', '=', line.variantId)
            .execute()
        }
        const at = shipment.at.toISOString()
        await outbox.add(trx, events.ShipmentCreated, {
          shipmentId: shipment.id,
          orderId: order.orderId,
          userId: order.userId,
          carrier: shipment.carrier,
          trackingNumber: shipment.trackingNumber,
          lines: allocation.lines,
          complete: allocation.complete,
          at,
        })
        const [created] = await withLines(trx, [
          {
            id: shipment.id,
            order_id: order.orderId,
            carrier: shipment.carrier,
            tracking_number: shipment.trackingNumber,
            status: 'shipped',
            created_at: shipment.at,
            delivered_at: null,
          },
        ])
        await recordChange(outbox, trx, record, undefined, created!)
        return { ok: true, shipment: created! } as const
      }),

    async get(id) {
      const row = await db
        .selectFrom('shipments')
        .select(shipmentColumns)
        .where('id', '=', id)
        .executeTakeFirst()
      return row && (await withLines(db, [row]))[0]
    },

    async listOfOrder(orderId) {
      const rows = await db
        .selectFrom('shipments')
        .select(shipmentColumns)
        .where('order_id', '=', orderId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      return withLines(db, rows)
    },

    deliver: (id, at, record) =>
      database.transaction(async (trx) => {
        const row = await trx
          .selectFrom('shipments')
          .select([...shipmentColumns, 'user_id'])
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
        if (!row) return 'not_found' as const
        // Delivered once: a second call answers the same and tells no one again.
        if (row.status === 'delivered') return (await withLines(trx, [row]))[0]!
        await trx
          .updateTable('shipments')
          .set({ status: 'delivered', delivered_at: at })
          .where('id', '=', id)
          .execute()
        await outbox.add(trx, events.ShipmentDelivered, {
          shipmentId: row.id,
          orderId: row.order_id,
          userId: row.user_id,
          at: at.toISOString(),
        })
        const [before, after] = await withLines(trx, [
          row,
          { ...row, status: 'delivered', delivered_at: at },
        ])
        await recordChange(outbox, trx, record, before!, after!)
        return after!
      }),
  }
}
