import { sql, type Transaction } from 'kysely'
import type { PaymentWriter } from '../app/ports.js'
import { claimWhere } from './kysely-payment-store.js'
import { toMethod, toRecord } from './rows.js'
import type { PaymentsTables } from './tables.js'

/** The consumers' writes within their inbox transaction. */
export function createSqlPaymentWriter(trx: Transaction<PaymentsTables>): PaymentWriter {
  return {
    async findMethod(id) {
      const row = await trx
        .selectFrom('payment_methods')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row && toMethod(row)
    },

    async insertPending(payment) {
      const result = await trx
        .insertInto('payments')
        .values({
          id: payment.id,
          order_id: payment.orderId,
          attempt: payment.attempt,
          user_id: payment.userId,
          payment_method_id: payment.paymentMethodId,
          provider_token: payment.providerToken,
          amount: payment.amount.amount,
          currency: payment.amount.currency,
          last4: payment.last4,
          brand: payment.brand,
          state: 'pending',
          correlation_id: payment.correlationId,
          causation_id: payment.causationId,
          created_at: payment.createdAt,
          updated_at: payment.updatedAt,
        })
        .onConflict((oc) => oc.columns(['order_id', 'attempt']).doNothing())
        .executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
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
