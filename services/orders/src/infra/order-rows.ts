import { sql, type Kysely, type Selectable } from 'kysely'
import type {
  OrderPricing,
  OrderRecord,
  OrderShipment,
  OrderStatus,
  PaymentStatus,
} from '../domain/order.js'
import type { RefundRecord } from '../domain/refund.js'
import type { OrderLinesTable, OrderShipmentsTable, OrdersTable, OrdersTables } from './tables.js'
import { refundsOf, toRefund, type OrderRefundsTable } from './refund-rows.js'

/*
 * Orders' rows and records: an order's columns from its record, and its record from its row, its
 * lines and its shipments (sql-order-store.ts reads and writes through these).
 */

type Executor = Kysely<OrdersTables>

/** The order's totals breakdown and guest e-mail as columns (null for an order without). */
export function pricingColumns(order: OrderRecord) {
  const pricing = order.pricing ?? null
  return {
    subtotal_amount: pricing?.subtotal.amount ?? null,
    discount_amount: pricing?.discount.amount ?? null,
    shipping_amount: pricing?.shipping.amount ?? null,
    tax_amount: pricing?.tax.amount ?? null,
    tax_inclusive: pricing?.taxInclusive ?? null,
    shipping_method: pricing?.shippingMethod ? JSON.stringify(pricing.shippingMethod) : null,
    promotion_code: pricing?.promotionCode ?? null,
    email: order.email ?? null,
    customer_email: order.customerEmail ?? null,
  }
}

function pricingOf(row: Selectable<OrdersTable>, currency: string): OrderPricing | null {
  if (row.subtotal_amount === null || row.subtotal_amount === undefined) return null
  const money = (amount: number | string | null) => ({ amount: Number(amount ?? 0), currency })
  return {
    subtotal: money(row.subtotal_amount),
    discount: money(row.discount_amount),
    shipping: money(row.shipping_amount),
    tax: money(row.tax_amount),
    taxInclusive: row.tax_inclusive === true,
    shippingMethod: row.shipping_method === null ? null : JSON.parse(row.shipping_method),
    promotionCode: row.promotion_code,
  }
}

/**
 * One order with its lines, shipments and refunds, read in one statement (the children as JSON
 * arrays): a saga step locks its order this way, one round trip instead of four (2026-12-06:
 * six statements per checkout). `forUpdate` locks the order's row only.
 */
export async function loadWhole(
  executor: Executor,
  orderId: string,
  options: { forUpdate?: boolean } = {},
): Promise<OrderRecord | undefined> {
  let query = executor
    .selectFrom('orders')
    .selectAll('orders')
    .select([
      sql<unknown>`(select coalesce(json_agg(l order by l.position), '[]') from order_lines l where l.order_id = orders.id)`.as(
        'lines_json',
      ),
      sql<unknown>`(select coalesce(json_agg(s order by s.created_at, s.shipment_id), '[]') from order_shipments s where s.order_id = orders.id)`.as(
        'shipments_json',
      ),
      sql<unknown>`(select coalesce(json_agg(r order by r.created_at, r.id), '[]') from order_refunds r where r.order_id = orders.id)`.as(
        'refunds_json',
      ),
    ])
    .where('orders.id', '=', orderId)
  if (options.forUpdate) query = query.forUpdate()
  const found = await query.executeTakeFirst()
  if (!found) return undefined
  const { lines_json, shipments_json, refunds_json, ...row } = found
  // JSON keeps the columns' names; its timestamps are ISO strings and its bigints numbers, which
  // the mappers below read as they read the driver's Dates and strings.
  const children = <T>(value: unknown) =>
    (typeof value === 'string' ? JSON.parse(value) : value) as T[]
  const shipments = children<Selectable<OrderShipmentsTable>>(shipments_json).map(shipmentOf)
  const refunds = children<OrderRefundsTable>(refunds_json).map(toRefund)
  return recordOf(row, children<Selectable<OrderLinesTable>>(lines_json), shipments, refunds)
}

function shipmentOf(row: Selectable<OrderShipmentsTable>): OrderShipment {
  return {
    id: row.shipment_id,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    lines: JSON.parse(row.lines),
    status: row.status as OrderShipment['status'],
    createdAt: new Date(row.created_at),
  }
}

/** Orders' records from their rows (lists, the deadline sweep): their children, a read each. */
export async function withLines(
  executor: Executor,
  rows: Selectable<OrdersTable>[],
): Promise<OrderRecord[]> {
  if (rows.length === 0) return []
  const lines = await executor
    .selectFrom('order_lines')
    .selectAll()
    .where(
      'order_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('order_id')
    .orderBy('position')
    .execute()
  const shipmentRows = await executor
    .selectFrom('order_shipments')
    .selectAll()
    .where(
      'order_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('created_at')
    .orderBy('shipment_id')
    .execute()
  const refunds = await refundsOf(
    executor,
    rows.map((r) => r.id),
  )
  const shipments = new Map<string, OrderShipment[]>()
  for (const row of shipmentRows) {
    const list = shipments.get(row.order_id) ?? []
    list.push(shipmentOf(row))
    shipments.set(row.order_id, list)
  }
  const byOrder = new Map<string, typeof lines>()
  for (const line of lines) {
    const list = byOrder.get(line.order_id) ?? []
    list.push(line)
    byOrder.set(line.order_id, list)
  }
  return rows.map((row) =>
    recordOf(
      row,
      byOrder.get(row.id) ?? [],
      shipments.get(row.id) ?? [],
      refunds.get(row.id) ?? [],
    ),
  )
}

/** An order's record from its row and its children, in their order. */
function recordOf(
  row: Selectable<OrdersTable>,
  lines: Selectable<OrderLinesTable>[],
  shipments: OrderShipment[],
  refunds: RefundRecord[],
): OrderRecord {
  {
    const currency = row.currency.trim()
    return {
      id: row.id,
      userId: row.user_id,
      status: row.status as OrderStatus,
      lines: lines.map((line) => ({
        productId: line.product_id,
        variantId: line.variant_id ?? line.product_id,
        ...(line.variant_label !== null ? { variantLabel: line.variant_label } : {}),
        name: line.name,
        unitPrice: { amount: Number(line.unit_amount), currency },
        quantity: Number(line.quantity),
        ...(line.discount_amount !== null && { discount: Number(line.discount_amount) }),
        ...(line.tax_amount !== null && { tax: Number(line.tax_amount) }),
        ...(line.tax_rate_bp !== null && { taxRateBasisPoints: Number(line.tax_rate_bp) }),
      })),
      total: { amount: Number(row.total_amount), currency },
      shippingAddress: JSON.parse(row.shipping_address),
      paymentMethod: {
        id: row.payment_method_id,
        last4: row.card_last4.trim(),
        brand: row.card_brand,
      },
      payment:
        row.payment_status === null
          ? null
          : { status: row.payment_status as PaymentStatus, last4: row.card_last4.trim() },
      cancellationReason: row.cancellation_reason,
      declineReason: row.decline_reason ?? null,
      deadlineAt: row.deadline_at === null ? null : new Date(row.deadline_at),
      paymentAttempt: Number(row.payment_attempt),
      paymentDueBy: row.payment_due_by === null ? null : new Date(row.payment_due_by),
      pricing: pricingOf(row, currency),
      email: row.email ?? null,
      number: Number(row.number),
      customerEmail: row.customer_email ?? null,
      cancellationNote: row.cancellation_note ?? null,
      cartVersion:
        row.cart_version === null || row.cart_version === undefined
          ? null
          : Number(row.cart_version),
      shipments,
      refunds,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    }
  }
}

/**
 * "Not cancelled" as the partial unique index on the order holding a cart says it (migration
 * 002: `where status <> 'cancelled'`): a literal of the statement, not a parameter, so that a
 * named statement's generic plan can use that index too (a parameter hides the predicate from
 * it; only a plan made for the values could use the index).
 */
export const heldCartStatus = sql.lit<OrderStatus>('cancelled')
