import type { ColumnType, Generated } from 'kysely'
import type { PlatformTables } from '@emporium/platform'

/** A bigint column: the pg driver reads it as text, PGlite as a number. */
type Big = ColumnType<string | number, number, number>
type Json = ColumnType<unknown, string, never>

/** Rows as the migrations make them (migrations/001-create-reporting.ts, 002-create-carts.ts). */
export interface ReportingTables extends PlatformTables {
  reporting_order_events: {
    seq: Generated<string | number>
    event_id: string
    order_id: string
    type: string
    version: number
    source: string
    occurred_at: Date
    data: Json
  }
  reporting_orders: {
    order_id: string
    user_id: string
    currency: string | null
    total: ColumnType<string | number | null, number | null, number | null>
    placed_at: Date | null
    placed_day: string | null
    confirmed_at: Date | null
    confirmed_day: string | null
    cancelled_at: Date | null
  }
  reporting_order_lines: {
    order_id: string
    position: number
    product_id: string
    variant_id: string | null
    name: string
    quantity: number
    unit_price: Big
    currency: string
  }
  reporting_payments: {
    key: string
    kind: 'capture' | 'refund'
    order_id: string
    user_id: string
    amount: Big
    currency: string
    at: Date
    day: string
  }
  reporting_carts: {
    cart_id: string
    started_at: Date
    day: string
    guest: boolean
  }
  audit_trail: {
    id: string
    actor_id: string
    actor_roles: Json
    action: string
    entity_type: string
    entity_id: string
    before: ColumnType<unknown, string | null, never>
    after: ColumnType<unknown, string | null, never>
    at: Date
    source: string
  }
}

/** JSON a jsonb column returns: parsed by the driver, or text. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}
