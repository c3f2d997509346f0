import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { migrate } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import type { OrderStatus } from '../domain/order-status.js'
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

    const apply = (orderId: string, status: OrderStatus, eventId = randomUUID()) =>
      testDb.database.transaction((trx) =>
        applyStatusFact(
          trx as Kysely<NotificationTables>,
          { orderId, userId: 'u1', status, cancellationReason: null, at: new Date().toISOString() },
          eventId,
        ),
      )

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
