import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '@emporium/platform'
import { createTestDatabase, genericPlans, type TestDatabase } from '@emporium/platform/testing'
import { createSqlMessageQueue } from '../src/infra/sql-messages.js'
import type { NotificationTables } from '../src/infra/tables.js'

// The dispatcher's claim of due messages names the status its partial index serves (migration
// 001: `where status = 'pending'`), so that the generic plan PostgreSQL may keep for a named
// statement after its fifth run uses the index too (with a parameter it could not).
describe("the dispatcher's claim: its generic plan uses the index of due messages", () => {
  let test: TestDatabase
  let db: Kysely<NotificationTables>

  beforeAll(async () => {
    test = await createTestDatabase('postgres')
    await migrate(test.database, { migrations: new URL('../migrations/', import.meta.url) })
    db = test.database.db as Kysely<NotificationTables>
  })
  afterAll(async () => {
    await test?.drop()
  })

  it('claims due messages by the partial index', async () => {
    const plans = await genericPlans(db, (spy) =>
      createSqlMessageQueue(spy).claimDue(new Date(), new Date(), 10),
    )
    expect(plans).toHaveLength(1)
    expect(plans[0]).toContain('messages_due_idx')
  })
})
