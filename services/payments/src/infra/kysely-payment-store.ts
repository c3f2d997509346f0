import {
  sql,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type SelectQueryBuilder,
  type Transaction,
} from 'kysely'
import type { payments } from '@emporium/contracts'
import { deferWrite, type Database, type Outbox } from '@emporium/platform'
import { DeclineReason, dueStates, type PaymentState } from '../domain/payment.js'
import type {
  ClaimedPayment,
  DeclineHistory,
  DeclineSubject,
  PaymentMethodStore,
  PaymentQueries,
  ProcessorStore,
} from '../app/ports.js'
import { methodRow, toRecord } from './rows.js'
import type { PaymentsTable, PaymentsTables } from './tables.js'

type Executor = Kysely<PaymentsTables> | Transaction<PaymentsTables>

/**
 * The payments service's storage on PostgreSQL or PGlite: payment methods, payments, the
 * append-only ledger and cancellations, the processor's claims, and the reads of the HTTP API.
 */
export function createKyselyPaymentStore(deps: {
  database: Database<PaymentsTables>
  outbox: Outbox
}): PaymentMethodStore & PaymentQueries & ProcessorStore & DeclineHistory {
  const { database, outbox } = deps
  const db = database.db

  return {
    async save(method) {
      await db.insertInto('payment_methods').values(methodRow(method)).execute()
    },

    async recentDeclines(subjects, since) {
      if (subjects.length === 0) return []
      // One statement for every subject: each its own limited scan, glued with UNION ALL.
      const parts = subjects.map(({ subject, limit }, i) =>
        db
          .selectFrom(
            ofSubject(
              db
                .selectFrom('payments')
                .select('payments.updated_at')
                // A literal, not a parameter: the partial index on declines (state =
                // 'declined') serves the generic plan too (see partialIndexState).
                .where('payments.state', '=', partialIndexState('declined'))
                // A cancelled order's stopped charge is no decline of the card, nor is a charge
                // refused by these limits (the provider was not asked).
                .where('payments.decline_reason', 'not in', [
                  DeclineReason.orderCancelled,
                  DeclineReason.velocityLimit,
                ])
                .where('payments.updated_at', '>=', since)
                .orderBy('payments.updated_at', 'desc')
                .limit(limit),
              subject,
            ).as(`s${i}`),
          )
          .select([`s${i}.updated_at as at`, sql.lit(i).as('subject')]),
      )
      let query = parts[0]!
      for (const part of parts.slice(1)) query = query.unionAll(part)
      const rows = await query.execute()
      const result = subjects.map(() => [] as Date[])
      for (const row of rows) result[Number(row.subject)]!.push(new Date(row.at))
      for (const dates of result) dates.sort((a, b) => b.getTime() - a.getTime())
      return result
    },

    async undecidedAhead(subject, payment, since) {
      const q = db
        .selectFrom('payments')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('payments.state', 'in', [
          partialIndexState('pending'),
          partialIndexState('authorized'),
        ])
        .where('payments.created_at', '>=', since)
        .where((eb) =>
          eb.or([
            eb('payments.created_at', '<', payment.createdAt),
            eb.and([
              eb('payments.created_at', '=', payment.createdAt),
              eb('payments.id', '<', payment.id),
            ]),
          ]),
        )
      const row = await ofSubject(q, subject).executeTakeFirst()
      return Number(row?.n ?? 0)
    },

    async fingerprintOf(paymentMethodId) {
      const row = await db
        .selectFrom('payment_methods')
        .select('card_fingerprint')
        .where('id', '=', paymentMethodId)
        .executeTakeFirst()
      return row?.card_fingerprint?.trim() ?? null
    },

    async list(query) {
      let q = db
        .selectFrom('payments')
        .selectAll()
        .where('state', '<>', 'pending')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit)
      if (query.userId !== undefined) q = q.where('user_id', '=', query.userId)
      if (query.orderId !== undefined) q = q.where('order_id', '=', query.orderId)
      const after = query.after
      if (after) {
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
          ]),
        )
      }
      return (await q.execute()).map(toRecord)
    },

    async reconciliation() {
      const sums = await db
        .selectFrom('ledger_entries')
        .select((eb) => ['currency', 'kind', eb.fn.sum<number | string>('amount').as('total')])
        .groupBy(['currency', 'kind'])
        .execute()
      const byCurrency = new Map<string, payments.Reconciliation['currencies'][number]>()
      for (const row of sums) {
        const currency = row.currency.trim()
        const entry = byCurrency.get(currency) ?? {
          currency,
          authorized: 0,
          captured: 0,
          refunded: 0,
          net: 0,
        }
        const total = Number(row.total)
        if (row.kind === 'authorization') entry.authorized += total
        if (row.kind === 'capture') entry.captured += total
        if (row.kind === 'refund') entry.refunded += total
        entry.net = entry.captured - entry.refunded
        byCurrency.set(currency, entry)
      }
      const doubles = await db
        .selectFrom('ledger_entries')
        .select('order_id')
        .where('kind', '=', 'capture')
        .groupBy('order_id')
        .having((eb) => eb.fn.countAll(), '>', 1)
        .orderBy('order_id')
        .execute()
      return {
        currencies: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
        doubleCaptures: doubles.map((row) => row.order_id),
      }
    },

    async claimDue({ now, until, token, limit, declinesSince }) {
      // PostgreSQL: rows another replica is claiming right now are skipped, not waited for.
      // PGlite has one connection and one processor: nothing to skip (as the outbox relay).
      const lock = database.kind === 'pglite' ? sql`` : sql`for update skip locked`
      return claimWhere(db, {
        until,
        token,
        declinesSince,
        which: sql`id in (
          select id from payments
          where state in (${sql.join(dueStates.map(partialIndexState))})
            and (claimed_until is null or claimed_until <= ${now})
          order by created_at, id
          limit ${limit}
          ${lock}
        )`,
      })
    },

    async partiallyRefunded(paymentId) {
      const row = await db
        .selectFrom('partial_refunds')
        .select((eb) => eb.fn.sum<number | string>('amount').as('total'))
        .where('payment_id', '=', paymentId)
        .where('state', 'in', ['pending', 'refunded'])
        .executeTakeFirst()
      return Number(row?.total ?? 0)
    },

    async extendClaim(id, token, until) {
      const result = await db
        .updateTable('payments')
        .set({ claimed_until: until })
        .where('id', '=', id)
        .where('claim_token', '=', token)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    async releaseClaim(id, token, retryAt, options) {
      await db
        .updateTable('payments')
        .set((eb) => ({
          claim_token: null,
          claimed_until: retryAt,
          failures: !retryAt
            ? 0
            : options?.failed === false
              ? eb.ref('failures')
              : eb('failures', '+', 1),
        }))
        .where('id', '=', id)
        .where('claim_token', '=', token)
        .execute()
    },

    async transition(id, at, decide, token) {
      return database.transaction(async (trx) => {
        // The payment locked, and whether it must not take money, in one statement.
        const { stopped, ...row } = await trx
          .selectFrom('payments')
          .selectAll('payments')
          .select((eb) => stoppedExpression(eb).as('stopped'))
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirstOrThrow()
        const current = toRecord(row)
        const cancelled = stopped === true
        const change = decide(current, cancelled)
        if (!change) return { payment: current, cancelled, released: false }
        // Finished: the lease ends with the change (only ours: another processor's stays).
        const release = token !== undefined && !dueStates.includes(change.state)
        // The row is locked: what the update makes of it is known here, and the update goes with
        // the ledger, the outbox rows and the commit (one round trip for all). The lease's
        // columns are not part of the record.
        const values = {
          state: change.state,
          updated_at: at,
          ...(release && { failures: 0 }),
          ...(change.declineReason !== undefined && { decline_reason: change.declineReason }),
          ...(change.authorizationId !== undefined && {
            authorization_id: change.authorizationId,
          }),
          ...(change.captureId !== undefined && { capture_id: change.captureId }),
          ...(change.refundId !== undefined && { refund_id: change.refundId }),
        }
        const update = trx
          .updateTable('payments')
          .set((eb) => ({
            ...values,
            ...(release && {
              claim_token: eb
                .case()
                .when('claim_token', '=', token)
                .then(sql<string | null>`null`)
                .else(eb.ref('claim_token'))
                .end(),
              // Due at once should it get work again (a cancellation asking for a refund).
              claimed_until: eb
                .case()
                .when('claim_token', '=', token)
                .then(sql<Date | null>`null`)
                .else(eb.ref('claimed_until'))
                .end(),
            }),
          }))
          .where('id', '=', id)
        await deferWrite(trx, update.compile())
        const updated: typeof row = { ...row, ...values }
        if (change.ledger?.length) {
          // Unique per payment and kind: a replayed provider answer adds nothing. Nobody reads
          // the insert's result: it goes with the outbox rows and the commit.
          const insert = trx
            .insertInto('ledger_entries')
            .values(
              change.ledger.map((entry) => ({
                payment_id: current.id,
                order_id: current.orderId,
                kind: entry.kind,
                amount: entry.amount ?? current.amount.amount,
                currency: current.amount.currency,
                provider_reference: entry.reference,
                at,
              })),
            )
            // Partial refunds have entries of their own (migration 004: refund_id).
            .onConflict((oc) =>
              oc.columns(['payment_id', 'kind']).where('refund_id', 'is', null).doNothing(),
            )
          await deferWrite(trx, insert.compile())
        }
        for (const pending of change.events ?? []) {
          await outbox.add(trx, pending.event, pending.data, {
            id: pending.id,
            correlationId: current.correlationId,
            causationId: current.causationId,
          })
        }
        return { payment: toRecord(updated), cancelled, released: release }
      })
    },
  }
}

/**
 * Leases the payments `which` selects to `token` until `until`, in one statement that also
 * returns whether each one's order is cancelled (or captured by another attempt) and (with `declinesSince`) its decline counts.
 */
export async function claimWhere(
  executor: Executor,
  options: { until: Date; token: string; declinesSince?: Date; which: RawBuilder<unknown> },
): Promise<ClaimedPayment[]> {
  const { until, token, declinesSince, which } = options
  const result = await sql<
    Selectable<PaymentsTable> & {
      order_cancelled: boolean
      user_declines?: number | string
      card_declines?: number | string
    }
  >`
    update payments set claim_token = ${token}, claimed_until = ${until}, claims = claims + 1
    where ${which}
    returning *, (exists (
      select 1 from order_cancellations c where c.order_id = payments.order_id
    ) or exists (
      select 1 from payments o
      where o.order_id = payments.order_id and o.id <> payments.id and o.capture_id is not null
    )) as order_cancelled
    ${declinesSince ? declineCounts(declinesSince) : sql``}`.execute(executor)
  return result.rows.map((row) => ({
    payment: toRecord(row),
    cancelled: row.order_cancelled === true,
    ...(declinesSince && {
      declines: { user: Number(row.user_declines), card: Number(row.card_declines) },
    }),
  }))
}

/**
 * The claimed payment's user's and card's declines since `since`, as columns of the claim's
 * RETURNING (the same declines as recentDeclines counts).
 */
function declineCounts(since: Date) {
  const counted = sql`d.state = 'declined'
    and d.decline_reason not in (${DeclineReason.orderCancelled}, ${DeclineReason.velocityLimit})
    and d.updated_at >= ${since}`
  return sql`, (
      select count(*) from payments d where d.user_id = payments.user_id and ${counted}
    ) as user_declines, (
      select count(*) from payments d
      where d.card_fingerprint = payments.card_fingerprint and ${counted}
    ) as card_declines`
}

/** Narrows a payments query to a decline subject's payments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any selection: the output type is the caller's
function ofSubject<Q extends SelectQueryBuilder<PaymentsTables, 'payments', any>>(
  query: Q,
  subject: DeclineSubject,
): Q {
  if ('userId' in subject) return query.where('payments.user_id', '=', subject.userId) as Q
  // The payment's own fingerprint (migration 006): the partial indexes on it serve the counts,
  // without reading every method ever tokenized from the card.
  if ('cardFingerprint' in subject)
    return query.where('payments.card_fingerprint', '=', subject.cardFingerprint) as Q
  return query.where('payments.card_fingerprint', '=', (eb) =>
    eb
      .selectFrom('payment_methods as m')
      .select('m.card_fingerprint')
      .where('m.id', '=', subject.cardOfMethod),
  ) as Q
}

/**
 * A state as a literal of the statement rather than a parameter, where a partial index's
 * predicate names it (`where state = 'declined'`): a named statement's generic plan, which
 * PostgreSQL uses from its sixth run, can only use a partial index whose predicate it can prove
 * from the statement's text. The decline read ran in 0.63 ms with the state a parameter and in
 * 0.03 ms with the literal (`bench:checkout` under pg_stat_statements, docs/performance.md).
 */
function partialIndexState(state: PaymentState): RawBuilder<PaymentState> {
  return sql.lit(state)
}

/**
 * Whether the payment must not take money: its order was cancelled, or another attempt of the
 * order holds a capture already (an order is captured at most once, issue 18). A column of a
 * select from `payments`.
 */
function stoppedExpression(eb: ExpressionBuilder<PaymentsTables, 'payments'>) {
  return eb.or([
    eb.exists(
      eb
        .selectFrom('order_cancellations')
        .select('order_cancellations.order_id')
        .whereRef('order_cancellations.order_id', '=', 'payments.order_id'),
    ),
    eb.exists(
      eb
        .selectFrom('payments as other')
        .select('other.id')
        .whereRef('other.order_id', '=', 'payments.order_id')
        .whereRef('other.id', '<>', 'payments.id')
        .where('other.capture_id', 'is not', null),
    ),
  ])
}
