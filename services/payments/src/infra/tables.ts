import type { ColumnType, Generated } from 'kysely'
import type { PlatformTables } from '@emporium/platform'

/** bigint columns: numbers from pg (the platform's parser), maybe strings elsewhere. */
type BigInt = ColumnType<number | string, number, number>

export interface PaymentMethodsTable {
  id: string
  user_id: string
  provider_token: string
  last4: string
  brand: string
  exp_month: number
  exp_year: number
  created_at: Date
  /** HMAC of the card number (migration 002); null for cards tokenized before it. */
  card_fingerprint: string | null
}

export interface PaymentsTable {
  id: string
  order_id: string
  /** The order's payment attempt, from 1 (migration 003). */
  attempt: Generated<number>
  user_id: string
  payment_method_id: string
  /** The method's card fingerprint, kept on the payment for the card's counts (migration 006). */
  card_fingerprint: Generated<string | null>
  provider_token: string
  amount: BigInt
  currency: string
  last4: string
  brand: string
  state: string
  decline_reason: string | null
  authorization_id: string | null
  capture_id: string | null
  refund_id: string | null
  correlation_id: string
  causation_id: string | null
  claim_token: string | null
  claimed_until: Date | null
  /** Times the processor claimed it (migration 005). */
  claims: Generated<number>
  failures: Generated<number>
  created_at: Date
  updated_at: Date
}

export interface LedgerEntriesTable {
  id: Generated<number | string>
  payment_id: string
  order_id: string
  kind: string
  amount: BigInt
  currency: string
  provider_reference: string
  at: Date
  /** The partial refund this entry records (migration 004); null for every other entry. */
  refund_id?: string | null
}

/** Partial refunds orders asked for (migration 004). */
export interface PartialRefundsTable {
  id: string
  payment_id: string
  order_id: string
  amount: BigInt
  currency: string
  state: string
  provider_refund_id: string | null
  failure_reason: string | null
  correlation_id: string
  causation_id: string | null
  claim_token: string | null
  claimed_until: Date | null
  failures: Generated<number>
  created_at: Date
  updated_at: Date
}

export interface OrderCancellationsTable {
  order_id: string
  reason: string
  cancelled_at: Date
  recorded_at: Date
}

export interface SimulatedAcquirerTable {
  key: string
  value: string | null
  count: Generated<number>
  updated_at: Date
}

export interface PaymentsTables extends PlatformTables {
  payment_methods: PaymentMethodsTable
  payments: PaymentsTable
  ledger_entries: LedgerEntriesTable
  order_cancellations: OrderCancellationsTable
  partial_refunds: PartialRefundsTable
  simulated_acquirer: SimulatedAcquirerTable
}
