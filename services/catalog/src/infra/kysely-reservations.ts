import { sql, type Transaction } from 'kysely'
import { catalog as events } from '@emporium/contracts'
import { deferWrite, type Database, type Outbox } from '@emporium/platform'
import {
  cancelAction,
  commitAction,
  releaseAction,
  shortLines,
  variantOf,
  type StockLine,
} from '../domain/reservation.js'
import type {
  CancelOutcome,
  ReservationStore,
  ReservationsIn,
  StoredReservation,
} from '../app/ports.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the store's transactions and its callers' (any tables)
type Trx = Transaction<any>

/** A reservation line as the reservation's read returns it (JSON: numbers may be strings). */
interface LineRow {
  product_id: string
  variant_id: string
  quantity: number | string
}

/** A reservation row (short_lines is JSON: text on some drivers). */
interface ReservationRow {
  order_id: string
  status: StoredReservation['status']
  short_lines: string | StoredReservation['shortLines']
  expires_at: Date | string | null
}

export interface KyselyReservations extends ReservationStore {
  /** The same store running in a transaction the caller owns (an event consumer's). */
  reservationsIn: ReservationsIn
}

/*
 * Every operation is written against a transaction it is given; the store's own methods open
 * one each (the internal HTTP API, the expiry job), `reservationsIn(trx)` runs them in the
 * caller's (a consumer's inbox transaction: on PGlite, with its single connection, a second
 * transaction opened from a handler would wait for the handler forever). Nothing here throws
 * to roll back a business outcome: a rejection is written, not thrown, so that it commits
 * together with the caller's inbox row.
 *
 * Stock is per variant (issue 17): a line holds stock of its variant (`variantOf`: the product's
 * first variant, whose id is the product's, when it names none), and the lock is that variant's
 * stock row alone, so two orders of different variants of one product never wait for each other.
 * Stock rows are locked in one order everywhere (variant id, byte order: `collate "C"`, which
 * is also the order of `normalizeLines` for ids in the basic multilingual plane), so that
 * reservations, commits, releases and restocks of overlapping lines never deadlock.
 */
export function createKyselyReservations(deps: {
  database: Database
  outbox: Pick<Outbox, 'add'>
}): KyselyReservations {
  const { database, outbox } = deps

  /** The reservation with its lines (as a JSON array), in one statement. */
  async function load(
    trx: Trx,
    orderId: string,
    forUpdate = false,
  ): Promise<StoredReservation | undefined> {
    const { rows } = await sql<ReservationRow & { lines: string | LineRow[] }>`
      select r.order_id, r.status, r.short_lines, r.expires_at,
        (select coalesce(json_agg(json_build_object('product_id', l.product_id,
            'variant_id', l.variant_id, 'quantity', l.quantity)
            order by l.variant_id collate "C"), '[]')
         from reservation_lines l where l.order_id = r.order_id) as lines
      from reservations r
      where r.order_id = ${orderId} ${forUpdate ? sql`for update of r` : sql``}`.execute(trx)
    const row = rows[0]
    if (!row) return undefined
    const lines: LineRow[] = typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines
    return {
      orderId: row.order_id,
      status: row.status,
      shortLines:
        typeof row.short_lines === 'string' ? JSON.parse(row.short_lines) : row.short_lines,
      expiresAt: row.expires_at ? new Date(row.expires_at) : null,
      lines: lines.map((l) => ({
        productId: l.product_id,
        ...(l.variant_id !== l.product_id ? { variantId: l.variant_id } : {}),
        quantity: Number(l.quantity),
      })),
    }
  }

  /**
   * Moves the stock of `lines`' variants by one statement (it was one per line): `reserved` and
   * `onHand` each change by the sign given times the variant's quantity. With `ifAvailable`, a row
   * changes only while it has the quantity available, and the variants that did not are returned.
   * Rows not locked yet (`locked: false`) are locked first, in the one order (a materialized
   * `for update` ordered as everywhere else, which the update reads before it writes a row), so
   * that the update's own scan order cannot deadlock it with another's.
   */
  async function moveStock(
    trx: Trx,
    lines: readonly StockLine[],
    change: {
      reserved: -1 | 0 | 1
      onHand: -1 | 0 | 1
      ifAvailable?: boolean
      locked: boolean
      /**
       * Nobody reads which lines fell short (a commit, release or restock moves what the
       * reservation holds): the update goes with the transaction's next statement or its commit.
       */
      deferred?: boolean
    },
  ): Promise<string[]> {
    // One row per variant (a variant twice would be updated once): quantities summed, which
    // checks availability as the per-line updates one after the other did.
    const byVariant = new Map<string, number>()
    for (const line of lines) {
      byVariant.set(variantOf(line), (byVariant.get(variantOf(line)) ?? 0) + line.quantity)
    }
    if (byVariant.size === 0) return []
    const values = sql.join(
      [...byVariant].map(([variant, quantity]) => sql`(${variant}::text, ${quantity}::integer)`),
    )
    const variants = sql.join([...byVariant.keys()])
    // One row needs no order to lock it in.
    const inOrder = !change.locked && byVariant.size > 1
    const statement = sql<{ variant_id: string }>`
      ${
        inOrder
          ? sql`with locked as materialized (
              select variant_id from stock where variant_id in (${variants})
              order by variant_id collate "C" for update)`
          : sql``
      }
      update stock s set
        reserved = s.reserved + ${change.reserved}::integer * v.quantity,
        on_hand = s.on_hand + ${change.onHand}::integer * v.quantity
      from (values ${values}) as v (variant_id, quantity)
      where s.variant_id = v.variant_id
        ${inOrder ? sql`and s.variant_id in (select variant_id from locked)` : sql``}
        ${change.ifAvailable ? sql`and s.on_hand - s.reserved >= v.quantity` : sql``}
      returning s.variant_id`
    if (change.deferred) {
      await deferWrite(trx, statement.compile(trx))
      return []
    }
    const { rows } = await statement.execute(trx)
    const moved = new Set(rows.map((r) => r.variant_id))
    return [...byVariant.keys()].filter((variant) => !moved.has(variant))
  }

  /**
   * Locks the stock rows of `lines`' variants (in variant id order); what each has available
   * now, by variant id. A variant of a deleted product or a draft (issue 17), or not of the line's
   * product, is absent: the line falls short, as one of an unknown product does.
   */
  async function lockAvailable(trx: Trx, lines: StockLine[]): Promise<Map<string, number>> {
    if (lines.length === 0) return new Map()
    const { rows } = await sql<{
      variant_id: string
      product_id: string
      available: number | string
    }>`
      select s.variant_id, s.product_id, s.on_hand - s.reserved as available
      from stock s join products p on p.id = s.product_id
      where s.variant_id in (${sql.join(lines.map(variantOf))})
        and p.deleted_at is null and p.status = 'published'
      order by s.variant_id collate "C"
      for update of s`.execute(trx)
    const productOf = new Map(lines.map((l) => [variantOf(l), l.productId]))
    return new Map(
      rows
        .filter((r) => productOf.get(r.variant_id) === r.product_id)
        .map((r) => [r.variant_id, Number(r.available)]),
    )
  }

  /**
   * Inserts the order's reservation row with its lines, in one statement; false when one exists
   * (a concurrent writer won, or the order was reserved or cancelled before), and then no line
   * is written either.
   */
  async function claim(trx: Trx, r: StoredReservation, now: Date): Promise<boolean> {
    const lines =
      r.lines.length === 0
        ? sql``
        : sql`, with_lines as (
            insert into reservation_lines (order_id, product_id, variant_id, quantity)
            select c.order_id, v.product_id, v.variant_id, v.quantity
            from claimed c cross join (values ${sql.join(
              r.lines.map(
                (l) => sql`(${l.productId}::text, ${variantOf(l)}::text, ${l.quantity}::integer)`,
              ),
            )}) as v (product_id, variant_id, quantity))`
    const inserted = await sql<{ order_id: string }>`
      with claimed as (
        insert into reservations (order_id, status, short_lines, created_at, updated_at, expires_at)
        values (${r.orderId}, ${r.status}, ${JSON.stringify(r.shortLines)}::jsonb, ${now}, ${now},
                ${r.expiresAt})
        on conflict (order_id) do nothing
        returning order_id)
      ${lines}
      select order_id from claimed`.execute(trx)
    return inserted.rows.length === 1
  }

  /** Of a locked reservation; nobody reads the update's result: it goes with the next statement. */
  async function setStatus(trx: Trx, orderId: string, status: string, now: Date) {
    await deferWrite(
      trx,
      trx
        .updateTable('reservations')
        .set({ status, updated_at: now })
        .where('order_id', '=', orderId)
        .compile(),
    )
  }

  async function reserve(
    trx: Trx,
    orderId: string,
    lines: StockLine[],
    now: Date,
    expiresAt: Date,
  ): Promise<StoredReservation> {
    // Every line's stock row is locked before deciding: all or none, with no partial hold to undo.
    // An order reserved (or cancelled) before keeps what it has: its claim below finds it.
    const short = shortLines(lines, await lockAvailable(trx, lines))
    const outcome: StoredReservation =
      short.length === 0
        ? { orderId, status: 'held', lines, shortLines: [], expiresAt }
        : { orderId, status: 'rejected', lines, shortLines: short, expiresAt: null }
    // Reserved before, or a concurrent reserve of the same order won: that outcome is ours.
    if (!(await claim(trx, outcome, now))) return (await load(trx, orderId))!
    if (outcome.status === 'rejected') {
      await outbox.add(trx, events.StockRejected, { orderId, shortLines: short })
      return outcome
    }
    // The rows are locked and were checked; the condition stays as a belt behind the lock.
    const unmoved = await moveStock(trx, lines, {
      reserved: 1,
      onHand: 0,
      ifAvailable: true,
      locked: true,
    })
    if (unmoved.length > 0) {
      throw new Error(`stock of ${unmoved.join(', ')} changed under its lock (order ${orderId})`)
    }
    await outbox.add(trx, events.StockReserved, {
      orderId,
      lines,
      expiresAt: expiresAt.toISOString(),
    })
    return outcome
  }

  async function commit(trx: Trx, orderId: string, now: Date) {
    const reservation = await load(trx, orderId, true)
    if (!reservation) return 'not_found' as const
    const action = commitAction(reservation.status)
    if (action === 'noop') return reservation
    if (action === 'refuse') return 'not_held' as const
    await moveStock(trx, reservation.lines, {
      reserved: -1,
      onHand: -1,
      locked: false,
      deferred: true,
    })
    await setStatus(trx, orderId, 'committed', now)
    await outbox.add(trx, events.StockCommitted, { orderId, lines: reservation.lines })
    return { ...reservation, status: 'committed' as const }
  }

  /** Gives a locked, held reservation's units back. */
  async function applyRelease(
    trx: Trx,
    reservation: StoredReservation,
    reason: 'cancelled' | 'expired',
    now: Date,
  ): Promise<StoredReservation> {
    const { orderId, lines } = reservation
    await moveStock(trx, lines, { reserved: -1, onHand: 0, locked: false, deferred: true })
    const status = reason === 'expired' ? ('expired' as const) : ('released' as const)
    await setStatus(trx, orderId, status, now)
    await outbox.add(trx, events.StockReleased, { orderId, reason, lines })
    return { ...reservation, status }
  }

  async function release(trx: Trx, orderId: string, reason: 'cancelled' | 'expired', now: Date) {
    const reservation = await load(trx, orderId, true)
    if (!reservation) return 'not_found' as const
    const action = releaseAction(reservation.status)
    if (action === 'noop') return reservation
    if (action === 'refuse') return 'committed' as const
    return applyRelease(trx, reservation, reason, now)
  }

  async function cancel(trx: Trx, orderId: string, now: Date): Promise<CancelOutcome> {
    // Twice at most: a tombstone that loses to a concurrent placement decides again on it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const reservation = await load(trx, orderId, true)
      const action = cancelAction(reservation?.status)
      if (action === 'tombstone') {
        const tombstone = {
          orderId,
          status: 'released' as const,
          lines: [],
          shortLines: [],
          expiresAt: null,
        }
        if (await claim(trx, tombstone, now)) return { action, reservation: tombstone }
        continue
      }
      if (action === 'noop') return { action, reservation: reservation! }
      if (action === 'release') {
        return { action, reservation: await applyRelease(trx, reservation!, 'cancelled', now) }
      }
      // Committed units left the stock: a confirmed order cancelled brings them back.
      await moveStock(trx, reservation!.lines, {
        reserved: 0,
        onHand: 1,
        locked: false,
        deferred: true,
      })
      await setStatus(trx, orderId, 'restocked', now)
      await outbox.add(trx, events.StockRestocked, { orderId, lines: reservation!.lines })
      return { action, reservation: { ...reservation!, status: 'restocked' } }
    }
    throw new Error(`reservation of order ${orderId} neither found nor insertable`)
  }

  async function expiredHolds(executor: Trx | typeof database.db, now: Date, limit: number) {
    const rows = await executor
      .selectFrom('reservations')
      .select('order_id')
      // A literal, as the partial index of held reservations says it (`where status = 'held'`):
      // a named statement's generic plan can use that index only then.
      .where('status', '=', sql.lit('held'))
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute()
    return rows.map((r) => r.order_id as string)
  }

  function reservationsIn(trx: Trx): ReservationStore {
    return {
      reserve: (orderId, lines, now, expiresAt) => reserve(trx, orderId, lines, now, expiresAt),
      commit: (orderId, now) => commit(trx, orderId, now),
      release: (orderId, reason, now) => release(trx, orderId, reason, now),
      cancel: (orderId, now) => cancel(trx, orderId, now),
      expiredHolds: (now, limit) => expiredHolds(trx, now, limit),
    }
  }

  return {
    reservationsIn,
    reserve: (...args) => database.transaction((trx) => reservationsIn(trx).reserve(...args)),
    commit: (...args) => database.transaction((trx) => reservationsIn(trx).commit(...args)),
    release: (...args) => database.transaction((trx) => reservationsIn(trx).release(...args)),
    cancel: (...args) => database.transaction((trx) => reservationsIn(trx).cancel(...args)),
    expiredHolds: (now, limit) => expiredHolds(database.db, now, limit),
  }
}
