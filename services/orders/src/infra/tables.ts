import type { ColumnType } from 'kysely'

/** The orders service's tables, as Kysely sees them. */
export interface OrdersTable {
  id: string
  user_id: string
  status: string
  currency: string
  total_amount: number | string
  /** JSON of the shipping address. */
  shipping_address: string
  payment_method_id: string
  card_last4: string
  card_brand: string
  payment_status: string | null
  cancellation_reason: string | null
  deadline_at: Date | null
  created_at: Date
  updated_at: Date
  /** The cart the order was placed from (domain/cart-identity.ts); null for older orders. */
  cart_identity: string | null
  /** The cart's version the order was placed from (migration 014); null for older orders. */
  cart_version: number | null
  /** The provider's precise reason of a declined or failed payment (admins only); migration 003. */
  decline_reason: string | null
  /** The payment attempt payments charges (migration 006). */
  payment_attempt: number
  /** The order's payment deadline (migration 006); null before its stock was held. */
  payment_due_by: Date | null
  /** The totals breakdown (migration 009); null in orders placed before it. */
  subtotal_amount: number | string | null
  discount_amount: number | string | null
  shipping_amount: number | string | null
  tax_amount: number | string | null
  tax_inclusive: boolean | null
  /** JSON `{id, name, carrier}` of the shipping method chosen. */
  shipping_method: string | null
  promotion_code: string | null
  /** A guest's e-mail address. */
  email: string | null
  /** Migration 011: the human order number (a sequence's), the customer's e-mail, a staff note. */
  number: ColumnType<number | string, number | undefined, never>
  customer_email: string | null
  cancellation_note: string | null
}

/** Staff's internal notes of an order (migration 011). */
export interface OrderNotesTable {
  id: string
  order_id: string
  author_id: string
  text: string
  created_at: Date
}

/** Orders' copy of accounts' e-mail addresses, from `user.registered` (migration 011). */
export interface CustomersTable {
  user_id: string
  email: string
  registered_at: Date
}

export interface OrderLinesTable {
  order_id: string
  position: number
  product_id: string
  /** Null in lines placed before variants: the product's first variant (migration 005). */
  variant_id: string | null
  variant_label: string | null
  name: string
  unit_amount: number | string
  quantity: number
  /** Migration 009: the line's share of the discount, its tax and the rate applied. */
  discount_amount: number | string | null
  tax_amount: number | string | null
  tax_rate_bp: number | null
}

/** The shipping service's shipments of an order (migration 009), from its events. */
export interface OrderShipmentsTable {
  shipment_id: string
  order_id: string
  carrier: string
  tracking_number: string
  /** JSON `[{productId, variantId, quantity}]`. */
  lines: string
  status: string
  created_at: Date
  updated_at: Date
}

export interface IdempotencyKeysTable {
  user_id: string
  key: string
  fingerprint: string
  state: 'in_progress' | 'completed'
  claim_token: string
  lease_until: Date
  response_status: number | null
  response_body: string | null
  created_at: Date
}

/** Orders' copy of the catalog's names and prices (migration 004), per variant (005). */
export interface CatalogPricesTable {
  variant_id: string
  product_id: string
  label: string | null
  name: string
  unit_amount: number | string
  currency: string
  deleted: boolean
  changed_at: Date
  /** The product's tax class and the variant's weight (migration 010). */
  tax_class: string
  weight_grams: number
}

/** The key of guests' order links (migration 009): one row, made by the first start. */
export interface OrderLinkKeysTable {
  id: number
  key: string
  created_at: Date
}

export interface OrdersTables {
  order_link_keys: OrderLinkKeysTable
  catalog_prices: CatalogPricesTable
  orders: OrdersTable
  order_lines: OrderLinesTable
  order_shipments: OrderShipmentsTable
  idempotency_keys: IdempotencyKeysTable
  order_notes: OrderNotesTable
  customers: CustomersTable
}
