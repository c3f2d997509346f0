import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../db/migrate.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-databases.js'
import { createOutbox } from './outbox.js'
import { createOutboxTail } from './outbox-tail.js'
import { WidgetMade } from './outbox-test-support.js'

const log = pino({ level: 'silent' })

describe('outbox tail on postgres', () => {
  let test: TestDatabase
  const outbox = createOutbox({ source: 'widgets' })
  const add = (n: number) => test.database.transaction((trx) => outbox.add(trx, WidgetMade, { n }))

  /** A transaction that has written its row (its seq taken) and commits when told. */
  async function held(n: number) {
    let commit: () => void = () => {}
    const release = new Promise<void>((resolve) => (commit = resolve))
    let written: () => void = () => {}
    const wrote = new Promise<void>((resolve) => (written = resolve))
    const done = test.database.transaction(async (trx) => {
      await outbox.add(trx, WidgetMade, { n })
      written()
      await release
    })
    await wrote
    return async () => {
      commit()
      await done
    }
  }

  beforeAll(async () => {
    test = await createTestDatabase('postgres')
    await migrate(test.database, {})
  })
  afterAll(() => test?.drop())

  function tail(now = () => Date.now()) {
    const seen: string[][] = []
    const t = createOutboxTail({
      database: test.database,
      log,
      everyMs: 60_000, // the test polls
      gapMs: 1_000,
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
})
