import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.js'
import { migrate } from '../db/migrate.js'
import { openDatabase } from '../db/open-database.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import { createOutbox } from './outbox.js'
import { createOutboxTail, outboxCommitsTriggerSql } from './outbox-tail.js'
import { WidgetMade } from './outbox-test-support.js'

const log = pino({ level: 'silent' })

describe('outbox tail on postgres', () => {
  let test: TestDatabase
  const outbox = createOutbox({ source: 'widgets' })
  const add = (n: number) => test.database.transaction((trx) => outbox.add(trx, WidgetMade, { n }))

  /**
   * A transaction that has written its row (its seq taken) and commits when told. `outbox.add`
   * writes its row with the commit; the row is inserted here on the spot, so that the number is
   * taken long before the commit, as a row written right before a slow commit takes it.
   */
  async function held(n: number) {
    let commit: () => void = () => {}
    const release = new Promise<void>((resolve) => (commit = resolve))
    let written: () => void = () => {}
    const wrote = new Promise<void>((resolve) => (written = resolve))
    const done = test.database.transaction(async (trx) => {
      const id = randomUUID()
      await trx
        .insertInto('outbox')
        .values({
          id,
          type: WidgetMade.type,
          version: WidgetMade.version,
          payload: JSON.stringify({ id, type: WidgetMade.type, version: 1, data: { n } }),
          created_at: new Date(),
          sent_at: null,
        })
        .execute()
      written()
      await release
    })
    await wrote
    return async () => {
      commit()
      await done
    }
  }

  /** Another replica's pool on the same database (its own `application_name`). */
  let other: Database

  beforeAll(async () => {
    test = await createTestDatabase('postgres')
    await migrate(test.database, {})
    for (const statement of outboxCommitsTriggerSql)
      await sql.raw(statement).execute(test.database.db)
    other = await openDatabase(test.url, { poolSize: 2 })
  })
  afterAll(async () => {
    await other?.close()
    await test?.drop()
  })

  function tail(now = () => Date.now()) {
    const seen: string[][] = []
    const t = createOutboxTail({
      database: test.database,
      log,
      everyMs: 60_000, // the test polls
      gapMs: 1_000,
      listen: false,
      now,
      onEvents: (types) => seen.push(types),
    })
    return { t, seen }
  }

  it('tells of rows committed since the last poll, and of nothing else', async () => {
    await add(1)
    const { t, seen } = tail()
    await t.start()
    await t.poll()
    expect(seen).toEqual([]) // what came before start is known
    await add(2)
    await add(3)
    await t.poll()
    expect(seen).toEqual([['widget.made', 'widget.made']])
    await t.poll()
    expect(seen).toHaveLength(1)
    await t.stop()
  })

  it('tells of a row whose transaction took an earlier number and committed later', async () => {
    let time = 0
    const { t, seen } = tail(() => time)
    await t.start()
    const commitLate = await held(10)
    await add(11)
    await t.poll()
    expect(seen).toEqual([['widget.made']])
    await commitLate()
    await t.poll()
    expect(seen).toEqual([['widget.made'], ['widget.made']])
    // Past gapMs a number not seen is given up (a rollback's, or a commit later than that).
    const tooLate = await held(12)
    await add(13)
    await t.poll()
    time += 1_001
    await t.poll()
    await tooLate()
    await t.poll()
    expect(seen).toHaveLength(3)
    await t.stop()
  })

  it('looks for the rows of transactions in flight when it starts', async () => {
    const commitLate = await held(20)
    await add(21)
    const { t, seen } = tail()
    await t.start()
    await commitLate()
    await t.poll()
    expect(seen).toEqual([['widget.made']])
    await t.stop()
  })

  /** Resolves once `check` holds, polled every 20 ms; fails past a margin a busy machine keeps. */
  async function until(check: () => boolean, what: string, withinMs = 10_000) {
    const deadline = Date.now() + withinMs
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** A tail that only a notification (or its listener coming back) can make look. */
  async function listeningTail(everyMs = 100) {
    const seen: string[][] = []
    const t = createOutboxTail({
      database: test.database,
      log,
      everyMs,
      quietEveryMs: 60_000,
      onEvents: (types) => seen.push(types),
    })
    await t.start()
    await until(() => t.listening(), 'listening')
    // The look at the listener's start (what came while it was not heard) is done.
    await new Promise((resolve) => setTimeout(resolve, 100))
    await t.poll()
    seen.length = 0
    return { t, seen }
  }

  it("looks at once when it hears another writer's commit, not at its next poll", async () => {
    const { t, seen } = await listeningTail()
    try {
      await other.transaction((trx) => outbox.add(trx, WidgetMade, { n: 30 }))
      // Its polls are a minute apart: only the notification makes it look.
      await until(() => seen.length > 0, "another writer's row seen")
      expect(seen.flat()).toEqual(['widget.made'])
    } finally {
      await t.stop()
    }
  })

  it("ignores its own pool's commits, and reads their rows at the next other writer's", async () => {
    const { t, seen } = await listeningTail()
    try {
      await add(40)
      await add(41)
      // Its own commits emptied what they had to at the commit: no look for them.
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      expect(seen).toEqual([])
      await other.transaction((trx) => outbox.add(trx, WidgetMade, { n: 42 }))
      await until(() => seen.flat().length === 3, 'all three rows seen in one look')
      expect(seen).toHaveLength(1)
    } finally {
      await t.stop()
    }
  })

  it('listens again after its connection is cut, and looks for what came meanwhile', async () => {
    const { t, seen } = await listeningTail()
    try {
      const listener = `${test.database.applicationName}-listen`
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = ${listener}`.execute(other.db)
      await until(() => !t.listening(), 'the cut connection noticed')
      // Not heard while it is cut: its own polls (every 100 ms here) see it.
      await other.transaction((trx) => outbox.add(trx, WidgetMade, { n: 50 }))
      await until(() => seen.flat().length === 1, 'the row committed while cut')
      await until(() => t.listening(), 'listening again')
      await new Promise((resolve) => setTimeout(resolve, 300))
      seen.length = 0
      await other.transaction((trx) => outbox.add(trx, WidgetMade, { n: 51 }))
      await until(() => seen.flat().length === 1, 'heard again')
    } finally {
      await t.stop()
    }
    // Stopped, it leaves no listening connection behind.
    const listeners = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where application_name = ${`${test.database.applicationName}-listen`}`.execute(other.db)
      ).rows[0]!.n
    let left = await listeners()
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      left = await listeners()
    }
    expect(left).toBe(0)
  })
})
