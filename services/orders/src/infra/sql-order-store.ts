import { sql, type Kysely, type Transaction } from 'kysely'
import { deferWrite, type Database, type Logger, type Outbox } from '@emporium/platform'
import type { OrderStatus } from '../domain/order.js'
import type { ListCriteria, OrderStore, OrderTx } from '../app/ports.js'
import { heldCartStatus, loadWhole, pricingColumns, withLines } from './order-rows.js'
import { promotionUsesIn } from './sql-promotions.js'
import { refundRowsIn } from './refund-rows.js'
import type { OrdersTables } from './tables.js'

/** migrations/002: one order not cancelled per (customer, cart identity). */
const cartHeldIndex = 'orders_cart_held_uq'

const dueStatuses: OrderStatus[] = ['pending', 'awaiting_payment', 'payment_failed']
// The same as literals of the statement, as the partial index of deadlines says them (migration
// 006): a named statement's generic plan can use that index only then.
const dueStatusLiterals = dueStatuses.map((status) => sql.lit(status))
/** Orders taken per look at the due list; a sweep looks a bounded number of times. */
const dueBatch = 100
const dueBatchesPerSweep = 20

/**
 * Orders in the service's SQL database (PostgreSQL, or PGlite embedded), with the outbox and
 * the idempotency key's completion in the same transactions.
 */
export function createSqlOrderStore(deps: {
  database: Database
  outbox: Outbox
  log: Logger
}): OrderStore {
  const { database, outbox, log } = deps
  const db = database.db as Kysely<OrdersTables>
  // PGlite is one connection: nobody else could hold a row, and SKIP LOCKED buys nothing.
  const skipLocked = database.kind !== 'pglite'

  async function dueIds(now: Date, limit: number): Promise<string[]> {
    const rows = await db
      .selectFrom('orders')
      .select('id')
      .where('status', 'in', dueStatusLiterals)
      .where('deadline_at', '<=', now)
      .orderBy('deadline_at')
      .limit(limit)
      .execute()
    return rows.map((r) => r.id)
  }

  return {
    transaction: (fn) => db.transaction().execute((trx) => fn(createSqlOrderTx(trx, outbox))),

    find: (orderId) => loadWhole(db, orderId),

    async orderHoldingCart(userId, cartIdentity) {
      const row = await db
        .selectFrom('orders')
        .select('id')
        .where('user_id', '=', userId)
        .where('cart_identity', '=', cartIdentity)
        .where('status', '<>', heldCartStatus)
        .executeTakeFirst()
      return row?.id
    },

    async list(criteria: ListCriteria) {
      let query = db.selectFrom('orders').selectAll()
      if (criteria.userId !== undefined) query = query.where('user_id', '=', criteria.userId)
      if (criteria.status !== undefined) query = query.where('status', '=', criteria.status)
      if (criteria.number !== undefined) query = query.where('number', '=', criteria.number)
      if (criteria.emailPrefix !== undefined) {
        query = query.where('customer_email', 'like', `${escapeLike(criteria.emailPrefix)}%`)
      }
      if (criteria.from !== undefined) query = query.where('created_at', '>=', criteria.from)
      if (criteria.to !== undefined) query = query.where('created_at', '<', criteria.to)
      if (criteria.minTotal !== undefined) {
        query = query.where('total_amount', '>=', criteria.minTotal)
      }
      if (criteria.maxTotal !== undefined) {
        query = query.where('total_amount', '<=', criteria.maxTotal)
      }
      const after = criteria.after
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
          ]),
        )
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(criteria.limit)
        .execute()
      return withLines(db, rows)
    },

    async notes(orderId) {
      const rows = await db
        .selectFrom('order_notes')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      return rows.map((row) => ({
        id: row.id,
        orderId: row.order_id,
        authorId: row.author_id,
        text: row.text,
        createdAt: new Date(row.created_at),
      }))
    },

    async forEachDue(now, decide) {
      let changed = 0
      const tried = new Set<string>()
      for (let batch = 0; batch < dueBatchesPerSweep; batch++) {
        const ids = (await dueIds(now, dueBatch)).filter((id) => !tried.has(id))
        for (const id of ids) {
          tried.add(id)
          try {
            const done = await db.transaction().execute(async (trx) => {
              let query = trx
                .selectFrom('orders')
                .selectAll()
                .where('id', '=', id)
                .where('status', 'in', dueStatuses)
                .where('deadline_at', '<=', now)
                .forUpdate()
              if (skipLocked) query = query.skipLocked()
              const row = await query.executeTakeFirst()
              // Gone from the list meanwhile, or another replica holds it.
              if (!row) return false
              const [order] = await withLines(trx, [row])
              return decide(order!, createSqlOrderTx(trx, outbox))
            })
            if (done) changed++
          } catch (error) {
            log.error({ err: error, orderId: id }, 'deadline of an order could not be applied')
          }
        }
        if (ids.length === 0) break
      }
      return changed
    },
  }
}

/** The transaction-bound half of the store, for use cases and consumers alike. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a use case's or consumer's transaction (any tables), typed below
export function createSqlOrderTx(trx: Transaction<any>, outbox: Outbox): OrderTx {
  const tx = trx as Transaction<OrdersTables>
  return {
    promotions: promotionUsesIn(trx),
    refunds: refundRowsIn(trx),
    lock: (orderId) => loadWhole(tx, orderId, { forUpdate: true }),

    async insert(order, cartIdentity) {
      // The order and its lines in one statement (a data-modifying WITH runs whether or not the
      // lines read it); a cart another order holds fails it whole.
      try {
        await tx
          .with('placed', (db) =>
            db
              .insertInto('orders')
              .values({
                id: order.id,
                user_id: order.userId,
                status: order.status,
                currency: order.total.currency,
                total_amount: order.total.amount,
                shipping_address: JSON.stringify(order.shippingAddress),
                payment_method_id: order.paymentMethod.id,
                card_last4: order.paymentMethod.last4,
                card_brand: order.paymentMethod.brand,
                payment_status: order.payment?.status ?? null,
                cancellation_reason: order.cancellationReason,
                deadline_at: order.deadlineAt,
                payment_attempt: order.paymentAttempt,
                payment_due_by: order.paymentDueBy,
                created_at: order.createdAt,
                updated_at: order.updatedAt,
                cart_identity: cartIdentity ?? null,
                cart_version: order.cartVersion ?? null,
                ...(order.number !== undefined && { number: order.number }),
                ...pricingColumns(order),
              })
              .returning('id'),
          )
          .insertInto('order_lines')
          .values(
            order.lines.map((line, position) => ({
              order_id: order.id,
              position,
              product_id: line.productId,
              // Null for the product's first variant, as lines were before variants.
              variant_id: line.variantId === line.productId ? null : line.variantId,
              variant_label: line.variantLabel ?? null,
              name: line.name,
              unit_amount: line.unitPrice.amount,
              quantity: line.quantity,
              discount_amount: line.discount ?? null,
              tax_amount: line.tax ?? null,
              tax_rate_bp: line.taxRateBasisPoints ?? null,
            })),
          )
          .execute()
      } catch (error) {
        if (isCartHeld(error)) return false
        throw error
      }
      return true
    },

    async save(order) {
      // The order's row is locked (or new) in this transaction and nobody reads what the update
      // returns: it goes with the transaction's next statement or its commit (with the outbox
      // row that usually follows), one round trip for both.
      const update = tx
        .updateTable('orders')
        .set({
          status: order.status,
          payment_status: order.payment?.status ?? null,
          // A retry pays with another card.
          payment_method_id: order.paymentMethod.id,
          card_brand: order.paymentMethod.brand,
          card_last4: order.payment?.last4 ?? order.paymentMethod.last4,
          cancellation_reason: order.cancellationReason,
          cancellation_note: order.cancellationNote ?? null,
          decline_reason: order.declineReason ?? null,
          deadline_at: order.deadlineAt,
          payment_attempt: order.paymentAttempt,
          payment_due_by: order.paymentDueBy,
          updated_at: order.updatedAt,
        })
        .where('id', '=', order.id)
      await deferWrite(tx, update.compile())
    },

    async orderLinkKey() {
      const row = await tx
        .selectFrom('order_link_keys')
        .select('key')
        .where('id', '=', 1)
        .executeTakeFirst()
      return row?.key
    },

    async recordShipment(orderId, shipment) {
      await tx
        .insertInto('order_shipments')
        .values({
          shipment_id: shipment.id,
          order_id: orderId,
          carrier: shipment.carrier,
          tracking_number: shipment.trackingNumber,
          lines: JSON.stringify(shipment.lines),
          status: shipment.status,
          created_at: shipment.createdAt,
          updated_at: shipment.createdAt,
        })
        .onConflict((oc) =>
          oc
            .column('shipment_id')
            .doUpdateSet({ status: shipment.status, updated_at: shipment.createdAt }),
        )
        .execute()
    },

    async emit(event, data) {
      await outbox.add(tx, event, data)
    },

    async completeKey(claim, response) {
      const result = await tx
        .updateTable('idempotency_keys')
        .set({
          state: 'completed',
          response_status: response.status,
          response_body: response.body,
        })
        .where('user_id', '=', claim.userId)
        .where('key', '=', claim.key)
        .where('claim_token', '=', claim.token)
        .where('state', '=', 'in_progress')
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    async numberFor(userId) {
      const { rows } = await sql<{
        n: string | number
        email: string | null
      }>`select nextval('orders_number_seq') as n, (select email from customers where user_id = ${userId}) as email`.execute(
        tx,
      )
      return { number: Number(rows[0]!.n), customerEmail: rows[0]!.email ?? undefined }
    },

    async rememberCustomer(userId, email, at) {
      await tx
        .insertInto('customers')
        .values({ user_id: userId, email, registered_at: at })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ email, registered_at: at }))
        .execute()
      // Orders placed before the event arrived (or before migration 011) learn it now.
      await tx
        .updateTable('orders')
        .set({ customer_email: email })
        .where('user_id', '=', userId)
        .where('customer_email', 'is', null)
        .execute()
    },

    async addNote(note) {
      await tx
        .insertInto('order_notes')
        .values({
          id: note.id,
          order_id: note.orderId,
          author_id: note.authorId,
          text: note.text,
          created_at: note.createdAt,
        })
        .execute()
    },
  }
}

/** `text` matched literally by LIKE (its `%`, `_` and `\\` escaped; `\\` is the default escape). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** The unique index of the carts held by orders not cancelled refused the row (SQLSTATE 23505). */
function isCartHeld(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null
  return e?.code === '23505' && (e.constraint ?? cartHeldIndex) === cartHeldIndex
}
