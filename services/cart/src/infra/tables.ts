import type { Generated } from 'kysely'

export interface CartsTable {
  user_id: string
  /** JSON array of CartLine. */
  lines: string
  version: number
  updated_at: Date
  /** JSON array of order ids; null in carts stored before the column (an empty list). */
  settled_order_ids: string | null
}

/** The price copy, a row per variant (migration 004; a product's first has the product's id). */
export interface ProductPricesTable {
  variant_id: string
  product_id: string
  label: string | null
  name: string
  amount: string | number | null
  currency: string | null
  deleted: boolean
  as_of: Date | Generated<Date>
}

export interface CartTables {
  carts: CartsTable
  product_prices: ProductPricesTable
}
