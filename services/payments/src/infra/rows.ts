import type { Selectable } from 'kysely'
import type { PaymentState } from '../domain/payment.js'
import type { PaymentRecord, StoredPaymentMethod } from '../app/ports.js'
import type { PaymentsTable } from './tables.js'

/* Rows to records and back. */

export function methodRow(method: StoredPaymentMethod) {
  return {
    id: method.id,
    user_id: method.userId,
    provider_token: method.providerToken,
    last4: method.last4,
    brand: method.brand,
    exp_month: method.expMonth,
    exp_year: method.expYear,
    created_at: method.createdAt,
    card_fingerprint: method.cardFingerprint ?? null,
  }
}

export function toRecord(row: Selectable<PaymentsTable>): PaymentRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    attempt: Number(row.attempt),
    userId: row.user_id,
    paymentMethodId: row.payment_method_id,
    providerToken: row.provider_token,
    amount: { amount: Number(row.amount), currency: row.currency.trim() },
    last4: row.last4.trim(),
    brand: row.brand,
    state: row.state as PaymentState,
    declineReason: row.decline_reason,
    authorizationId: row.authorization_id,
    captureId: row.capture_id,
    refundId: row.refund_id,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    failures: Number(row.failures),
    claims: Number(row.claims ?? 0),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}
