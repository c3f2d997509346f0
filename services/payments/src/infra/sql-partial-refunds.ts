import { sql, type Kysely, type Transaction } from 'kysely'
import { payments as contract } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { PartialRefund, PartialRefundStore, PartialRefundWriter } from '../app/refund-ports.js'
import type { PaymentsTables } from './tables.js'

type Executor = Kysely<PaymentsTables> | Transaction<PaymentsTables>

/** The pending refunds with their payment's capture, attempt, user and card. */
function selectRefunds(executor: Executor) {
  return executor
    .selectFrom('partial_refunds as r')
    .innerJoin('payments as p', 'p.id', 'r.payment_id')
    .select([
      'r.id',
      'r.payment_id',
      'r.order_id',
      'r.amount',
      'r.currency',
      'r.state',
      'r.failures',
      'p.capture_id',
      'p.attempt',
      'p.user_id',
      'p.last4',
    ])
}

type Row = Awaited<ReturnType<ReturnType<typeof selectRefunds>['execute']>>[number]

function toRefund(row: Row): PartialRefund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    orderId: row.order_id,
    amount: { amount: Number(row.amount), currency: row.currency.trim() },
    state: row.state as PartialRefund['state'],
    captureId: row.capture_id ?? '',
    attempt: Number(row.attempt),
    userId: row.user_id,
    last4: row.last4.trim(),
    failures: Number(row.failures),
  }
}

/** The `order.refund-requested` consumer's writes in its inbox transaction. */
export function partialRefundWriterIn(
  trx: Transaction<PaymentsTables>,
  outbox: Outbox,
): PartialRefundWriter {
  return {
    async request({ refundId, orderId, amount, correlationId, causationId, at }) {
      const known = await trx
        .selectFrom('partial_refunds')
        .select('id')
        .where('id', '=', refundId)
        .executeTakeFirst()
      if (known) return 'known'
      // Locked as the cancellation's consumer locks them: a refund of the rest and a partial
      // refund never both count the same money.
      const payments = await trx
        .selectFrom('payments')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('attempt')
        .forUpdate()
        .execute()
      const captured = payments.find((p) => p.state === 'captured')
      let failure: string | undefined
      if (!captured) failure = 'payment_not_refundable'
      else if (captured.currency.trim() !== amount.currency) failure = 'currency_mismatch'
      else {
        const row = await trx
          .selectFrom('partial_refunds')
          .select((eb) => eb.fn.sum<number | string>('amount').as('total'))
          .where('payment_id', '=', captured.id)
          .where('state', 'in', ['pending', 'refunded'])
          .executeTakeFirst()
        if (Number(row?.total ?? 0) + amount.amount > Number(captured.amount)) {
          failure = 'exceeds_captured'
        }
      }
      // A refund refused still gets a row (the refund id is then known), on the payment it names.
      const paymentId = captured?.id ?? payments[0]?.id
      if (paymentId !== undefined) {
        await trx
          .insertInto('partial_refunds')
          .values({
            id: refundId,
            payment_id: paymentId,
            order_id: orderId,
            amount: amount.amount,
            currency: amount.currency,
            state: failure ? 'failed' : 'pending',
            failure_reason: failure ?? null,
            correlation_id: correlationId,
            causation_id: causationId,
            created_at: at,
            updated_at: at,
          })
          .execute()
      }
      if (!failure) return 'pending'
      await outbox.add(
        trx,
        contract.PaymentRefundFailed,
        { refundId, orderId, reason: failure, at: at.toISOString() },
        // Once per refund id when its row was written; without a payment to write it against a
        // repeat may say it again (orders' answer to it changes nothing the second time).
        {
          ...(paymentId !== undefined && { id: `${refundId}:refund-failed` }),
          correlationId,
          causationId,
        },
      )
      return 'failed'
    },
  }
}

/** The refund processor's storage. */
export function createSqlPartialRefunds(deps: {
  database: Database<PaymentsTables>
  outbox: Outbox
}): PartialRefundStore {
  const { database, outbox } = deps
  const db = database.db
  return {
    async claimDue({ now, until, token, limit }) {
      const lock = database.kind === 'pglite' ? sql`` : sql`for update skip locked`
      const claimed = await sql<{ id: string }>`
        update partial_refunds set claim_token = ${token}, claimed_until = ${until}
        where id in (
          select id from partial_refunds
          where state = 'pending' and (claimed_until is null or claimed_until <= ${now})
          order by created_at, id
          limit ${limit}
          ${lock}
        )
        returning id`.execute(db)
      const ids = claimed.rows.map((r) => r.id)
      if (ids.length === 0) return []
      return (await selectRefunds(db).where('r.id', 'in', ids).execute()).map(toRefund)
    },

    async recordRefunded(refund, providerRefundId, at) {
      await database.transaction(async (trx) => {
        const row = await trx
          .selectFrom('partial_refunds')
          .select(['state', 'correlation_id', 'causation_id'])
          .where('id', '=', refund.id)
          .forUpdate()
          .executeTakeFirst()
        if (!row || row.state !== 'pending') return
        await trx
          .updateTable('partial_refunds')
          .set({
            state: 'refunded',
            provider_refund_id: providerRefundId,
            claim_token: null,
            claimed_until: null,
            updated_at: at,
          })
          .where('id', '=', refund.id)
          .execute()
        await trx
          .insertInto('ledger_entries')
          .values({
            payment_id: refund.paymentId,
            order_id: refund.orderId,
            kind: 'refund',
            amount: refund.amount.amount,
            currency: refund.amount.currency,
            provider_reference: providerRefundId,
            refund_id: refund.id,
            at,
          })
          .onConflict((oc) => oc.column('refund_id').where('refund_id', 'is not', null).doNothing())
          .execute()
        await outbox.add(
          trx,
          contract.PaymentRefunded,
          {
            paymentId: refund.paymentId,
            orderId: refund.orderId,
            attempt: refund.attempt,
            userId: refund.userId,
            amount: { ...refund.amount },
            last4: refund.last4,
            refundId: refund.id,
            at: at.toISOString(),
          },
          {
            id: `${refund.id}:refunded`,
            correlationId: row.correlation_id,
            causationId: row.causation_id,
          },
        )
      })
    },

    async release(id, token, retryAt) {
      await db
        .updateTable('partial_refunds')
        .set((eb) => ({
          claim_token: null,
          claimed_until: retryAt,
          failures: eb('failures', '+', 1),
        }))
        .where('id', '=', id)
        .where('claim_token', '=', token)
        .execute()
    },
  }
}
