import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { migrate, openDatabase, type Database } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { applyStatusFact } from './sql-projection.js'
import { createSqlStreamSlots } from './sql-stream-slots.js'
import type { NotificationTables } from './tables.js'

// The cap's adapter alone. On PostgreSQL, two pools of the same database stand for two replicas
// taking the same user's slots at once.
describe.each(['postgres', 'pglite'] as const)(
  'infra/sql-stream-slots: the cap on status streams on %s',
  (kind) => {
    let testDb: TestDatabase
    let other: Database | undefined
    const max = 3
    const dbs = () =>
      [testDb.database, other ?? testDb.database].map(
        (database) => database.db as Kysely<NotificationTables>,
      )
    const slotsOf = (db: Kysely<NotificationTables>, leaseMs = 60_000) =>
      createSqlStreamSlots(db, { max, leaseMs })
    const leasesOf = (userId: string) =>
      dbs()[0]!
        .selectFrom('stream_leases')
        .select(['id', 'slot'])
        .where('user_id', '=', userId)
        .orderBy('slot')
        .execute()

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      await migrate(testDb.database, { migrations: new URL('../../migrations/', import.meta.url) })
      if (kind === 'postgres') other = await openDatabase(testDb.url)
    })

    afterAll(async () => {
      await other?.close()
      await testDb?.drop()
    })

    it('grants exactly the cap to many takers at once on two replicas, each its own slot', async () => {
      const userId = `u-${randomUUID()}`
      const [a, b] = dbs().map((db) => slotsOf(db))
      const taken = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a! : b!).acquire(userId, { orderId: 'o-none' }).then((taken) => taken?.slot),
        ),
      )
      const granted = taken.filter((slot) => slot !== undefined)
      expect(granted).toHaveLength(max)
      expect((await leasesOf(userId)).map((l) => l.slot)).toEqual([0, 1, 2])

      // A release frees exactly one slot, for either replica; twice releases nothing more.
      await granted[1]!.release()
      await granted[1]!.release()
      expect(await leasesOf(userId)).toHaveLength(max - 1)
      const again = await b!.acquire(userId, { orderId: 'o-none' }).then((taken) => taken?.slot)
      expect(again).toBeDefined()
      expect(
        await a!.acquire(userId, { orderId: 'o-none' }).then((taken) => taken?.slot),
      ).toBeUndefined()
      for (const slot of [...granted, again!]) await slot.release()
      expect(await leasesOf(userId)).toEqual([])
    })

    it('deletes a released lease with the next slot taken on the replica; closed and reopened at the cap, a stream finds its slot', async () => {
      const userId = `u-${randomUUID()}`
      const other = `u-${randomUUID()}`
      // No timer within the test: only a take can delete the released leases.
      const slots = createSqlStreamSlots(dbs()[0]!, {
        max,
        leaseMs: 60_000,
        releaseLingerMs: 60_000,
      })
      const granted = []
      for (let i = 0; i < max; i++)
        granted.push((await slots.acquire(userId, { orderId: 'o' }))!.slot)
      expect(await slots.acquire(userId, { orderId: 'o' })).toBeUndefined()

      let deleted = false
      const releasing = granted[0]!.release().then(() => (deleted = true))
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(deleted).toBe(false)
      expect(await leasesOf(userId)).toHaveLength(max)
      // The same user at once: the released slot is free in the very statement that deletes it.
      const reopened = await slots.acquire(userId, { orderId: 'o' })
      expect(reopened).toBeDefined()
      await releasing
      expect((await leasesOf(userId)).map((l) => l.slot)).toEqual([0, 1, 2])

      // Another user's take deletes this one's released lease as well.
      const ending = granted[1]!.release()
      expect(await slots.acquire(other, { orderId: 'o' })).toBeDefined()
      await ending
      expect(await leasesOf(userId)).toHaveLength(max - 1)
    })

    it('reads the stream’s opening in the same statement', async () => {
      const userId = `u-${randomUUID()}`
      const orderId = `o-${randomUUID()}`
      const [a] = dbs()
      const slots = slotsOf(a!)
      expect((await slots.acquire(userId, { orderId }))?.opening).toEqual({
        owner: undefined,
        changes: [],
      })
      const seqs: number[] = []
      for (const status of ['pending', 'awaiting_payment'] as const) {
        const change = await testDb.database.transaction((trx) =>
          applyStatusFact(
            trx as Kysely<NotificationTables>,
            { orderId, userId, status, cancellationReason: null, at: new Date().toISOString() },
            randomUUID(),
          ),
        )
        seqs.push(change!.seq)
      }
      const latest = await slots.acquire(userId, { orderId })
      expect(latest?.opening).toMatchObject({
        owner: userId,
        changes: [{ seq: seqs[1], orderId, status: 'awaiting_payment' }],
      })
      const after = await slots.acquire(userId, { orderId, after: seqs[0]! - 1 })
      expect(after?.opening.changes.map((c) => c.seq)).toEqual(seqs)
      // All taken: no slot, and no opening either.
      expect(await slots.acquire(userId, { orderId })).toBeUndefined()
      for (const taken of await leasesOf(userId)) {
        await a!.deleteFrom('stream_leases').where('id', '=', taken.id).execute()
      }
    })

    it('takes over expired leases, and a taken-over one renews and frees nothing', async () => {
      const userId = `u-${randomUUID()}`
      const [a] = dbs()
      const short = slotsOf(a!, 1)
      const stale = await Promise.all([
        short.acquire(userId, { orderId: 'o-none' }).then((taken) => taken?.slot),
        short.acquire(userId, { orderId: 'o-none' }).then((taken) => taken?.slot),
      ])
      const staleIds = (await leasesOf(userId)).map((l) => l.id)
      await new Promise((resolve) => setTimeout(resolve, 20))
      const fresh = slotsOf(a!)
      const taken = await Promise.all(
        [1, 2, 3, 4].map(() =>
          fresh.acquire(userId, { orderId: 'o-none' }).then((taken) => taken?.slot),
        ),
      )
      expect(taken.filter(Boolean)).toHaveLength(max)
      const leases = await leasesOf(userId)
      expect(leases.map((l) => l.slot)).toEqual([0, 1, 2])
      expect(leases.some((l) => staleIds.includes(l.id))).toBe(false)
      // The streams that held the expired leases end late: they touch no one else's slot.
      for (const slot of stale) {
        await slot!.renew()
        await slot!.release()
      }
      expect(await leasesOf(userId)).toEqual(leases)
      for (const slot of taken) await slot?.release()
    })

    it('keeps a renewed lease counted past its first expiry', async () => {
      const userId = `u-${randomUUID()}`
      const [a] = dbs()
      const slots = slotsOf(a!, 2_000)
      const held = await Promise.all(
        [1, 2, 3].map(() =>
          slots.acquire(userId, { orderId: 'o-none' }).then((taken) => taken?.slot),
        ),
      )
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      for (const slot of held) await slot!.renew()
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      expect(
        await slots.acquire(userId, { orderId: 'o-none' }).then((taken) => taken?.slot),
      ).toBeUndefined()
      for (const slot of held) await slot!.release()
    })
  },
)
