import type { shipping } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform/app'
import type { Allocation, OrderLine } from '../domain/allocation.js'
import type { AuditOf } from '@emporium/contracts'

/*
 * The shipping service's ports. Every write is one transaction, with its event in the outbox
 * when it has one; a write that must check what it finds gets a function to decide with, run
 * in the transaction under the row's lock (so a refusal writes nothing). A staff change's
 * `record` makes its `audit.recorded` event, written to the outbox in the same transaction
 * (issue 19); a refused change records nothing.
 */

/** A zone as kept. */
export type Zone = shipping.Zone

/** A method as kept. */
export type Method = shipping.Method

export interface ZoneStore {
  list(): Promise<Zone[]>
  get(id: string): Promise<Zone | undefined>
  create(zone: Zone, now: Date, record?: AuditOf<Zone>): Promise<void>
  /** `change` gets the locked zone and returns it as changed. */
  update(
    id: string,
    change: (zone: Zone) => Zone,
    now: Date,
    record?: AuditOf<Zone>,
  ): Promise<Zone | 'not_found'>
  /** `in_use` while a method belongs to it. */
  delete(id: string, record?: AuditOf<Zone>): Promise<'deleted' | 'not_found' | 'in_use'>
}

export interface MethodStore {
  list(filter: { zoneId?: string }): Promise<Method[]>
  get(id: string): Promise<Method | undefined>
  /** `zone_not_found` when its zone does not exist (checked in the transaction). */
  create(method: Method, now: Date, record?: AuditOf<Method>): Promise<'created' | 'zone_not_found'>
  /** `change` gets the locked method and returns it as changed. */
  update(
    id: string,
    change: (method: Method) => Method,
    now: Date,
    record?: AuditOf<Method>,
  ): Promise<Method | 'not_found' | 'zone_not_found'>
  delete(id: string, record?: AuditOf<Method>): Promise<'deleted' | 'not_found'>
}

/** What quotes are made from: every zone's entries and every active method. */
export interface QuoteSource {
  zonesAndActiveMethods(): Promise<{ zones: Zone[]; methods: Method[] }>
}

/** The copy of an order a shipment is checked against, locked. */
export interface OrderCopy {
  orderId: string
  userId: string
  confirmed: boolean
  cancelled: boolean
  lines: OrderLine[]
}

export interface NewShipment {
  id: string
  orderId: string
  carrier: string
  trackingNumber: string
  at: Date
}

export type ShipOutcome =
  | { ok: true; shipment: shipping.Shipment }
  | { ok: false; reason: 'order_not_found' | 'order_cancelled' }
  | Extract<Allocation, { ok: false }>

export interface ShipmentStore {
  /**
   * Locks the order's copy, lets `plan` choose the lines, and writes the shipment, the shipped
   * quantities and `shipment.created` in one transaction; nothing when `plan` refuses.
   */
  ship(
    shipment: NewShipment,
    plan: (order: OrderCopy) => Allocation,
    record?: AuditOf<shipping.Shipment>,
  ): Promise<ShipOutcome>
  get(id: string): Promise<shipping.Shipment | undefined>
  listOfOrder(orderId: string): Promise<shipping.Shipment[]>
  /**
   * Marks it delivered with `shipment.delivered` and `record`'s audit (staff's) in one
   * transaction; one already delivered is left as it is (nothing published or audited again).
   */
  deliver(
    id: string,
    at: Date,
    record?: AuditOf<shipping.Shipment>,
  ): Promise<shipping.Shipment | 'not_found'>
}

/** The order copies, bound to an event consumer's transaction. */
export interface OrderCopies {
  /** A confirmed order and its lines (variant absent: the product's id); once. */
  confirmed(order: {
    orderId: string
    userId: string
    lines: Array<{ productId: string; variantId: string; quantity: number }>
    at: Date
  }): Promise<void>
  cancelled(order: { orderId: string; userId: string; at: Date }): Promise<void>
  /** The orders service shipped it whole: every line not shipped yet is, without a shipment. */
  shippedWhole(order: { orderId: string; userId: string; at: Date }): Promise<void>
}

/** The order copies bound to a consumer's transaction (service.ts makes them). */
export type OrderCopiesIn = (trx: HandlerContext['trx']) => OrderCopies
