import { sql, type Transaction } from 'kysely'
import type { PaymentWriter } from '../app/ports.js'
import { claimWhere } from './kysely-payment-store.js'
import { toRecord } from './rows.js'
import type { PaymentsTables } from './tables.js'

/** The consumers' writes within their inbox transaction. */
export function createSqlPaymentWriter(trx: Transaction<PaymentsTables>): PaymentWriter {
  return {
    async insertPending(payment) {
      // The method's card and the insert in one statement: `method` says whether the card is
      // there (and the user's), `inserted` whether the order's attempt was new.
      const { rows } = await sql<{ method: boolean; inserted: boolean }>`
        with method as (
          select provider_token, last4, brand, card_fingerprint from payment_methods
          where id = ${payment.paymentMethodId} and user_id = ${payment.userId}
        ), inserted as (
          insert into payments (id, order_id, attempt, user_id, payment_method_id, card_fingerprint,
            provider_token, amount, currency, last4, brand, state, correlation_id, causation_id, created_at,
            updated_at)
          select ${payment.id}, ${payment.orderId}, ${payment.attempt}, ${payment.userId},
            ${payment.paymentMethodId}, m.card_fingerprint, m.provider_token, ${payment.amount.amount},
            ${payment.amount.currency}, m.last4, m.brand, 'pending', ${payment.correlationId},
            ${payment.causationId}, ${payment.createdAt}, ${payment.updatedAt}
          from method m
          on conflict (order_id, attempt) do nothing
          returning id
        )
        select exists (select 1 from method) as method,
          exists (select 1 from inserted) as inserted`.execute(trx)
      const row = rows[0]!
      if (row.method !== true) return 'unknown_method'
      return row.inserted === true ? 'inserted' : 'exists'
    },

    async claim(paymentId, terms) {
      const [claimed] = await claimWhere(trx, { ...terms, which: sql`id = ${paymentId}` })
      return claimed
    },

    async recordCancellation({ orderId, reason, at }) {
      await trx
        .insertInto('order_cancellations')
        .values({ order_id: orderId, reason, cancelled_at: at, recorded_at: new Date() })
        .onConflict((oc) => oc.column('order_id').doNothing())
        .execute()
    },

    async lockPaymentsOfOrder(orderId) {
      const rows = await trx
        .selectFrom('payments')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('attempt')
        .forUpdate()
        .execute()
      return rows.map(toRecord)
    },

    async setState(paymentId, state, at) {
      await trx
        .updateTable('payments')
        .set({ state, updated_at: at })
        .where('id', '=', paymentId)
        .execute()
    },
  }
}
