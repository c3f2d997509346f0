import type { ColumnType } from 'kysely'
import type { PlatformTables } from '@emporium/platform'

/** Rows as the migrations make them (migrations/001-create-shipping.ts). */
export interface ShippingTables extends PlatformTables {
  shipping_zones: {
    id: string
    name: string
    /** `ZoneEntry[]` as JSON (written as text, read parsed or as text by the driver). */
    countries: ColumnType<unknown, string, string>
    created_at: ColumnType<Date, Date, never>
    updated_at: Date
  }
  shipping_methods: {
    id: string
    zone_id: string
    name: string
    carrier: string
    basis: 'flat' | 'weight' | 'subtotal'
    currency: string
    /** `Array<{from, amount}>` as JSON. */
    rates: ColumnType<unknown, string, string>
    free_above: ColumnType<string | number | null, number | null, number | null>
    days_min: number | null
    days_max: number | null
    active: boolean
    created_at: ColumnType<Date, Date, never>
    updated_at: Date
  }
  shipping_orders: {
    order_id: string
    user_id: string
    confirmed: boolean
    cancelled: boolean
    shipped_whole: boolean
    updated_at: Date
  }
  shipping_order_lines: {
    order_id: string
    variant_id: string
    product_id: string
    quantity: number
    shipped: number
  }
  shipments: {
    id: string
    order_id: string
    user_id: string
    carrier: string
    tracking_number: string
    status: 'shipped' | 'delivered'
    created_at: Date
    delivered_at: Date | null
  }
  shipment_lines: {
    shipment_id: string
    variant_id: string
    product_id: string
    quantity: number
  }
}

/** JSON a jsonb column returns: parsed by the driver, or text. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}
