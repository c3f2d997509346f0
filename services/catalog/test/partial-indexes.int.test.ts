import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOutbox, migrate, type Database } from '@emporium/platform'
import { createTestDatabase, genericPlans, type TestDatabase } from '@emporium/platform/testing'
import { createKyselyReservations } from '../src/infra/kysely-reservations.js'

// The expiry sweep's read of held reservations names the status its partial index serves
// (migration 001: `where status = 'held'`), so that the generic plan PostgreSQL may keep for a named
// statement after its fifth run uses the index too (with a parameter it could not).
describe('the expiry sweep: its generic plan uses the index of held reservations', () => {
  let test: TestDatabase

  beforeAll(async () => {
    test = await createTestDatabase('postgres')
    await migrate(test.database, { migrations: new URL('../migrations/', import.meta.url) })
  })
  afterAll(async () => {
    await test?.drop()
  })

  it('finds expired holds by the partial index', async () => {
    const plans = await genericPlans(test.database.db, (spy) =>
      createKyselyReservations({
        database: { ...test.database, db: spy } as unknown as Database,
        outbox: createOutbox({ source: 'catalog' }),
      }).expiredHolds(new Date(), 10),
    )
    expect(plans).toHaveLength(1)
    expect(plans[0]).toContain('reservations_held_idx')
  })
})
