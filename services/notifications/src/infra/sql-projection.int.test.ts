import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql, type Kysely } from 'kysely'
import { migrate } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import type { OrderStatus, StatusFact } from '../domain/order-status.js'
import { applyStatusFact, createSqlStatusReader } from './sql-projection.js'
import type { NotificationTables } from './tables.js'

// The projection's SQL: the change a consumer hands to the streams, and a stream's opening read.
describe.each(['postgres', 'pglite'] as const)(
  'infra/sql-projection: the status projection on %s',
  (kind) => {
    let testDb: TestDatabase
    const db = () => testDb.database.db as Kysely<NotificationTables>

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      await migrate(testDb.database, { migrations: new URL('../../migrations/', import.meta.url) })
    })

    afterAll(async () => {
      await testDb?.drop()
    })

    const fact = (orderId: string, status: OrderStatus, more: Partial<StatusFact> = {}) => ({
      orderId,
      userId: 'u1',
      status,
      cancellationReason: null,
      at: new Date().toISOString(),
      ...more,
    })
    const applyFact = (facts: StatusFact, eventId = randomUUID()) =>
      testDb.database.transaction((trx) =>
        applyStatusFact(trx as Kysely<NotificationTables>, facts, eventId),
      )
    const apply = (orderId: string, status: OrderStatus, eventId = randomUUID()) =>
      applyFact(fact(orderId, status), eventId)

    /** The order's row and its change log, as the streams read them. */
    async function stored(orderId: string) {
      const row = await db()
        .selectFrom('order_status')
        .select(['user_id', 'status', 'cancellation_reason', 'rank'])
        .where('order_id', '=', orderId)
        .executeTakeFirst()
      const log = await db()
        .selectFrom('status_changes')
        .select(['event_id', 'status', 'cancellation_reason'])
        .where('order_id', '=', orderId)
        .orderBy('seq')
        .execute()
      return { row, log }
    }

    it('returns each change with the one before it, and nothing for a step back or a replay', async () => {
      const orderId = `o-${randomUUID()}`
      const other = `o-${randomUUID()}`
      const placed = await apply(orderId, 'pending')
      await apply(other, 'pending')
      const paying = await apply(orderId, 'awaiting_payment')
      const confirmedEvent = randomUUID()
      const confirmed = await apply(orderId, 'confirmed', confirmedEvent)
      expect(placed).toMatchObject({ orderId, userId: 'u1', status: 'pending', previousSeq: null })
      expect(paying).toMatchObject({ status: 'awaiting_payment', previousSeq: placed!.seq })
      expect(confirmed).toMatchObject({ status: 'confirmed', previousSeq: paying!.seq })
      expect(await apply(orderId, 'awaiting_payment')).toBeUndefined()
      expect(await apply(orderId, 'confirmed', confirmedEvent)).toBeUndefined()
    })

    it('records a change per event that moves the order forward, and nothing for the others', async () => {
      const orderId = `o-${randomUUID()}`
      const ids = Array.from({ length: 6 }, () => randomUUID())
      const late = randomUUID()
      const changes = [
        await applyFact(fact(orderId, 'pending'), ids[0]),
        await applyFact(fact(orderId, 'awaiting_payment', { attempt: 1 }), ids[1]),
        await applyFact(fact(orderId, 'payment_failed', { attempt: 1 }), ids[2]),
        // The retry's awaiting_payment ranks above the failed attempt.
        await applyFact(fact(orderId, 'awaiting_payment', { attempt: 2 }), ids[3]),
        // Older events arriving late, and replays of recorded ones (new and old): no change.
        await applyFact(fact(orderId, 'awaiting_payment', { attempt: 1 }), late),
        await applyFact(fact(orderId, 'payment_failed', { attempt: 1 }), ids[2]),
        await applyFact(fact(orderId, 'awaiting_payment', { attempt: 2 }), ids[3]),
        await applyFact(fact(orderId, 'pending'), ids[0]),
        await applyFact(fact(orderId, 'confirmed'), ids[4]),
        // A reason on any status but cancelled is not kept.
        await applyFact(
          fact(orderId, 'cancelled', { cancellationReason: 'admin_cancelled' }),
          ids[5],
        ),
        // Shipped ranks with cancelled: the first of them stays.
        await applyFact(fact(orderId, 'shipped', { cancellationReason: 'ignored' })),
        await applyFact(fact(orderId, 'cancelled', { cancellationReason: 'other' }), ids[5]),
      ]
      expect(changes.map((change) => change?.status)).toEqual([
        'pending',
        'awaiting_payment',
        'payment_failed',
        'awaiting_payment',
        undefined,
        undefined,
        undefined,
        undefined,
        'confirmed',
        'cancelled',
        undefined,
        undefined,
      ])
      const made = changes.filter((change) => change !== undefined)
      // Each change names the one made before it, and a seq above it.
      made.forEach((change, i) => {
        expect(change).toMatchObject({ orderId, userId: 'u1' })
        expect(change.previousSeq).toBe(i === 0 ? null : made[i - 1]!.seq)
        if (i > 0) expect(change.seq).toBeGreaterThan(made[i - 1]!.seq)
      })
      expect(made.at(-1)).toMatchObject({ cancellationReason: 'admin_cancelled' })
      expect(await stored(orderId)).toEqual({
        row: {
          user_id: 'u1',
          status: 'cancelled',
          cancellation_reason: 'admin_cancelled',
          rank: 1_000_001,
        },
        log: [
          { event_id: ids[0], status: 'pending', cancellation_reason: null },
          { event_id: ids[1], status: 'awaiting_payment', cancellation_reason: null },
          { event_id: ids[2], status: 'payment_failed', cancellation_reason: null },
          { event_id: ids[3], status: 'awaiting_payment', cancellation_reason: null },
          { event_id: ids[4], status: 'confirmed', cancellation_reason: null },
          { event_id: ids[5], status: 'cancelled', cancellation_reason: 'admin_cancelled' },
        ],
      })
      // What a stream reads is exactly what the consumer handed over.
      const streamed = await createSqlStatusReader(db()).changesAfter(orderId, 0)
      expect(streamed).toEqual(
        made.map(({ seq, status, cancellationReason, at }) => ({
          seq,
          orderId,
          status,
          cancellationReason,
          at,
        })),
      )
    })

    it('starts an order with whichever event comes first, and keeps it ahead', async () => {
      const orderId = `o-${randomUUID()}`
      const reason = { cancellationReason: 'payment_timeout' }
      const cancelled = await applyFact(fact(orderId, 'cancelled', reason))
      expect(cancelled).toMatchObject({ status: 'cancelled', previousSeq: null, ...reason })
      expect(await apply(orderId, 'pending')).toBeUndefined()
      expect(await apply(orderId, 'confirmed')).toBeUndefined()
      expect(await stored(orderId)).toMatchObject({
        row: { status: 'cancelled', cancellation_reason: 'payment_timeout' },
        log: [{ status: 'cancelled', cancellation_reason: 'payment_timeout' }],
      })
    })

    it('links the first change after an upgrade to the last one a previous version recorded', async () => {
      const orderId = `o-${randomUUID()}`
      // As the previous version wrote them: no seq in the order's row.
      await db()
        .insertInto('order_status')
        .values({
          order_id: orderId,
          user_id: 'u1',
          status: 'pending',
          cancellation_reason: null,
          rank: 0,
          updated_at: new Date(),
        })
        .execute()
      const { seq } = await db()
        .insertInto('status_changes')
        .values({
          order_id: orderId,
          status: 'pending',
          cancellation_reason: null,
          at: new Date(),
          event_id: randomUUID(),
        })
        .returning('seq')
        .executeTakeFirstOrThrow()
      const paying = await apply(orderId, 'awaiting_payment')
      expect(paying).toMatchObject({ status: 'awaiting_payment', previousSeq: Number(seq) })
      expect(await apply(orderId, 'confirmed')).toMatchObject({ previousSeq: paying!.seq })
    })

    // Two replicas applying events of one order at once: the second waits for the row, and then
    // sees the first's change although it committed after the second's statement began.
    it.runIf(kind === 'postgres')(
      'judges and links a change by what a transaction it waited for committed',
      async () => {
        const orderId = `o-${randomUUID()}`
        await apply(orderId, 'pending')
        // `held[0]` applied and its transaction open, `waiting` waits for the row; the rest of
        // `held` is applied (numbers drawn after the waiting one began), and the first commits.
        const race = async (held: StatusFact[], waiting: StatusFact) => {
          let applied!: () => void
          let release!: () => void
          const heldApplied = new Promise<void>((resolve) => (applied = resolve))
          const released = new Promise<void>((resolve) => (release = resolve))
          const first = testDb.database.transaction(async (trx) => {
            const changes = []
            for (const [i, next] of held.entries()) {
              if (i === 1) await released
              const t = trx as Kysely<NotificationTables>
              changes.push(await applyStatusFact(t, next, randomUUID()))
              if (i === 0) applied()
            }
            if (held.length === 1) await released
            return changes.at(-1)
          })
          await heldApplied
          const second = applyFact(waiting)
          await lockWaiters(1)
          release()
          return { first: await first, second: await second }
        }

        const paying = await race(
          [fact(orderId, 'awaiting_payment'), fact(orderId, 'payment_failed')],
          fact(orderId, 'confirmed'),
        )
        expect(paying.first).toMatchObject({ status: 'payment_failed' })
        expect(paying.second).toMatchObject({
          status: 'confirmed',
          previousSeq: paying.first!.seq,
        })
        expect(paying.second!.seq).toBeGreaterThan(paying.first!.seq)

        // Shipped ranks with cancelled: not ahead of the cancellation it waited for.
        const ends = await race(
          [fact(orderId, 'cancelled', { cancellationReason: 'admin_cancelled' })],
          fact(orderId, 'shipped'),
        )
        expect(ends.first).toMatchObject({ previousSeq: paying.second!.seq })
        expect(ends.second).toBeUndefined()
        expect((await stored(orderId)).log.map((change) => change.status)).toEqual([
          'pending',
          'awaiting_payment',
          'payment_failed',
          'confirmed',
          'cancelled',
        ])
        expect((await stored(orderId)).row).toMatchObject({ status: 'cancelled' })
      },
    )

    /** Resolves once `n` statements of this database wait for a lock. */
    async function lockWaiters(n: number) {
      for (let tries = 0; tries < 250; tries++) {
        const { rows } = await sql<{ waiting: number }>`
          select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(db())
        if (rows[0]!.waiting >= n) return
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      throw new Error(`no ${n} statements waiting for a lock`)
    }

    it('opens with the owner and the latest change, or every change after a given one', async () => {
      const reader = createSqlStatusReader(db())
      const orderId = `o-${randomUUID()}`
      expect(await reader.opening(orderId)).toEqual({ owner: undefined, changes: [] })
      const seqs = []
      for (const status of ['pending', 'awaiting_payment', 'confirmed'] as const) {
        seqs.push((await apply(orderId, status))!.seq)
      }
      const opened = async (after?: number) => {
        const { owner, changes } = await reader.opening(orderId, after)
        return { owner, seqs: changes.map((change) => change.seq) }
      }
      expect(await opened()).toEqual({ owner: 'u1', seqs: [seqs[2]] })
      expect(await opened(seqs[0])).toEqual({ owner: 'u1', seqs: [seqs[1], seqs[2]] })
      expect(await opened(seqs[2])).toEqual({ owner: 'u1', seqs: [seqs[2]] })
      expect(await opened(10 ** 14)).toEqual({ owner: 'u1', seqs: [seqs[2]] })
      const [latest] = (await reader.opening(orderId)).changes
      expect(latest).toMatchObject({ orderId, status: 'confirmed', cancellationReason: null })
      expect(latest!.at).toMatch(/^\d{4}-\d\d-\d\dT/)
    })
  },
)
