/** The promotion tables (migration 007), as Kysely sees them. */
export interface PromotionsTable {
  id: string
  /** Upper-case. */
  code: string
  kind: 'percentage' | 'fixed'
  /** 1..100 for `percentage`, else null. */
  percent: number | null
  /** Minor units, for `fixed`, else null. */
  amount: number | string | null
  currency: string | null
  min_subtotal_amount: number | string | null
  min_subtotal_currency: string | null
  starts_at: Date | null
  ends_at: Date | null
  usage_limit: number | null
  per_customer_limit: number | null
  active: boolean
  created_at: Date
  updated_at: Date
}

export interface PromotionUsesTable {
  /** At most one use per order. */
  order_id: string
  promotion_id: string
  customer_id: string
  status: 'reserved' | 'spent' | 'released'
  /** The discount the order got, in minor units of `currency`. */
  discount_amount: number | string
  currency: string
  created_at: Date
  updated_at: Date
}

export interface PromotionTables {
  promotions: PromotionsTable
  promotion_uses: PromotionUsesTable
}
