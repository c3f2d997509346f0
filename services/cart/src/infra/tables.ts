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

export interface ProductPricesTable {
  product_id: string
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
