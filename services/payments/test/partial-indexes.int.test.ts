import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOutbox, migrate, type Database } from '@emporium/platform'
import { createTestDatabase, genericPlans, type TestDatabase } from '@emporium/platform/testing'
import { createKyselyPaymentStore } from '../src/infra/kysely-payment-store.js'
import type { PaymentsTables } from '../src/infra/tables.js'

// Payments' reads served by a partial index (migrations 001, 002, 006: `where state = …`) name
// the states in their text, so that the generic plan PostgreSQL may keep for a named statement
// after its fifth run uses the index too; with the states as parameters it could not.
describe("payments' reads by state: their generic plans use the partial indexes", () => {
  let test: TestDatabase
  let db: Kysely<PaymentsTables>
  const since = new Date(Date.now() - 3_600_000)

  beforeAll(async () => {
    test = await createTestDatabase('postgres')
    await migrate(test.database, { migrations: new URL('../migrations/', import.meta.url) })
    db = test.database.db as Kysely<PaymentsTables>
  })
  afterAll(async () => {
    await test?.drop()
  })

  const plansOf = (run: (store: ReturnType<typeof createKyselyPaymentStore>) => Promise<unknown>) =>
    genericPlans(db, (spy) =>
      run(
        createKyselyPaymentStore({
          database: { ...test.database, db: spy } as unknown as Database<PaymentsTables>,
          outbox: createOutbox({ source: 'payments' }),
        }),
      ),
    )

  it("a card's and a user's recent declines", async () => {
    const plans = await plansOf((store) =>
      store.recentDeclines(
        [
          { subject: { userId: 'u1' }, limit: 5 },
          { subject: { cardFingerprint: 'f1' }, limit: 5 },
        ],
        since,
      ),
    )
    expect(plans).toHaveLength(1)
    expect(plans.join('\n')).toContain('payments_user_declines_idx')
    expect(plans.join('\n')).toContain('payments_card_declines_idx')
  })

  it("a card's undecided payments ahead of one", async () => {
    const [plan] = await plansOf((store) =>
      store.undecidedAhead({ cardFingerprint: 'f1' }, { id: 'p1', createdAt: new Date() }, since),
    )
    expect(plan).toContain('payments_card_undecided_idx')
  })

  it("the processor's claim of due payments", async () => {
    const plans = await plansOf((store) =>
      store.claimDue({ now: new Date(), until: new Date(), token: 't', limit: 10 }),
    )
    expect(plans.join('\n')).toContain('payments_due_idx')
  })
})
