import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { MessageQueue, NewMessage, NotificationWriter } from '../app/ports.js'
import type { Template } from '../domain/message-templates.js'
import type { CopiedLine } from '../domain/order-copy.js'
import { applyStatusFact } from './sql-projection.js'
import type { NotificationTables } from './tables.js'

/** A message's insert; a second one for the same event and template is ignored. */
function messageInsert(trx: Kysely<NotificationTables>, message: NewMessage, at: Date) {
  return trx
    .insertInto('messages')
    .values({
      id: randomUUID(),
      event_id: message.eventId,
      template: message.template,
      user_id: message.userId,
      order_id: message.orderId,
      to_address: message.to,
      subject: message.subject,
      body: message.text,
      status: 'pending',
      next_attempt_at: at,
      created_at: at,
      sent_at: null,
      last_error: null,
    })
    .onConflict((oc) => oc.columns(['event_id', 'template']).doNothing())
}

/** The consumer's writes, bound to its transaction. */
export function createSqlNotificationWriter(
  trx: Kysely<NotificationTables>,
  now: () => Date,
): NotificationWriter {
  return {
    applyStatus: (fact, eventId, message) =>
      applyStatusFact(trx, fact, eventId, message && messageInsert(trx, message, now())),
    async recipient(userId) {
      const row = await trx
        .selectFrom('recipients')
        .select(['user_id', 'email', 'name'])
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return row && { userId: row.user_id, email: row.email, name: row.name }
    },
    async saveRecipient(recipient, registeredAt) {
      await trx
        .insertInto('recipients')
        .values({
          user_id: recipient.userId,
          email: recipient.email,
          name: recipient.name,
          registered_at: registeredAt,
        })
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet((eb) => ({
            email: eb.ref('excluded.email'),
            name: eb.ref('excluded.name'),
            registered_at: eb.ref('excluded.registered_at'),
          })),
        )
        .execute()
    },
    async enqueue(message) {
      await messageInsert(trx, message, now()).execute()
    },
    async saveOrder(copy, confirmedAt) {
      const values = {
        user_id: copy.userId,
        email: copy.email,
        order_link: copy.orderLink,
        lines: JSON.stringify(copy.lines),
        confirmed_at: confirmedAt,
      }
      // The owner's address is read in the same statement: the confirmation mail needs it next.
      const row = await trx
        .with('saved', (db) =>
          db
            .insertInto('order_copies')
            .values({ order_id: copy.orderId, ...values })
            .onConflict((oc) => oc.column('order_id').doUpdateSet(values)),
        )
        .selectFrom('recipients')
        .select(['user_id', 'email', 'name'])
        .where('user_id', '=', copy.userId)
        .executeTakeFirst()
      return row && { userId: row.user_id, email: row.email, name: row.name }
    },
    async order(orderId) {
      const row = await trx
        .selectFrom('order_copies')
        .select(['order_id', 'user_id', 'email', 'order_link', 'lines', 'shipments_mailed'])
        .where('order_id', '=', orderId)
        .executeTakeFirst()
      return (
        row && {
          orderId: row.order_id,
          userId: row.user_id,
          email: row.email,
          orderLink: row.order_link,
          lines: JSON.parse(row.lines) as CopiedLine[],
          shipmentsMailed: Number(row.shipments_mailed),
        }
      )
    },
    async countShipmentMail(orderId) {
      await trx
        .updateTable('order_copies')
        .set((eb) => ({ shipments_mailed: eb('shipments_mailed', '+', 1) }))
        .where('order_id', '=', orderId)
        .execute()
    },
  }
}

/**
 * The message queue over the shared table. A claim takes due rows with `FOR UPDATE SKIP LOCKED`
 * and pushes their next attempt past a lease in the same statement, so replicas never claim the
 * same message at once and a crashed replica's claims come due again when the lease ends.
 */
export function createSqlMessageQueue(db: Kysely<NotificationTables>): MessageQueue {
  return {
    async claimDue(now, leaseUntil, limit) {
      const rows = await db
        .updateTable('messages')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil }))
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('messages')
            .select('id')
            // A literal, as the partial index of due messages says it (`where status =
            // 'pending'`): a named statement's generic plan can use that index only then.
            .where('status', '=', sql.lit('pending'))
            .where('next_attempt_at', '<=', now)
            .orderBy('next_attempt_at')
            .limit(limit)
            .forUpdate()
            .skipLocked(),
        )
        .returning(['id', 'template', 'user_id', 'to_address', 'subject', 'body', 'attempts'])
        .execute()
      return rows.map((row) => ({
        id: row.id,
        template: row.template as Template,
        userId: row.user_id,
        to: row.to_address,
        subject: row.subject,
        text: row.body,
        attempts: Number(row.attempts),
      }))
    },
    async emailsOf(userIds) {
      const rows = await db
        .selectFrom('recipients')
        .select(['user_id', 'email'])
        .where('user_id', 'in', [...new Set(userIds)])
        .execute()
      return new Map(rows.map((row) => [row.user_id, row.email]))
    },
    async markSent(sent, at) {
      if (sent.length === 0) return
      const values = sql.join(sent.map(({ id, to }) => sql`(${id}, ${to})`))
      await sql`
        update messages set status = 'sent', sent_at = ${at}, last_error = null,
          to_address = sent.to_address
        from (values ${values}) as sent (id, to_address)
        where messages.id = sent.id and messages.status = 'pending'`.execute(db)
    },
    async markRetry(id, nextAttemptAt, error) {
      await db
        .updateTable('messages')
        .set({ next_attempt_at: nextAttemptAt, last_error: error })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute()
    },
    async markFailed(id, error) {
      await db
        .updateTable('messages')
        .set({ status: 'failed', last_error: error })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute()
    },
  }
}
