import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createHarness, envelope, type Harness } from './payments-harness.js'

/**
 * PAYMENTS_SIMULATOR_DATABASE_URL: the simulated acquirer (an external PSP's stand-in) keeps its
 * state in a database of its own, and the payments database holds none of it.
 */
describe('the simulated acquirer in its own database', () => {
  let acquirer: TestDatabase
  let h: Harness

  beforeAll(async () => {
    acquirer = await createTestDatabase('postgres')
    h = await createHarness('postgres', {
      processIntervalMs: 50,
      env: { PAYMENTS_SIMULATOR_DATABASE_URL: acquirer.url },
    })
  })

  afterAll(async () => {
    await h?.close()
    await acquirer?.drop()
  })

  const rowsIn = async (database: TestDatabase['database']) =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from simulated_acquirer`.execute(database.db))
        .rows[0]!.n,
    )

  it('charges a card with every acquirer record in the acquirer’s database', async () => {
    const userId = randomUUID()
    const orderId = `acq-${randomUUID()}`
    const reply = await fetch(`${h.running.url}/internal/payment-methods`, {
      method: 'POST',
      headers: await h.internal.headers(),
      body: JSON.stringify({
        userId,
        card: { cardNumber: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' },
      }),
    })
    expect(reply.status).toBe(201)
    const { paymentMethodId } = (await reply.json()) as { paymentMethodId: string }
    await h.bus.publish(
      envelope('order.payment-requested', {
        orderId,
        userId,
        amount: { amount: 700, currency: 'USD' },
        paymentMethodId,
        at: new Date().toISOString(),
      }),
    )
    const deadline = Date.now() + 20_000
    let state: string | undefined
    while (Date.now() < deadline) {
      const row = await h.testDb.database.db
        .selectFrom('payments')
        .select('state')
        .where('order_id', '=', orderId)
        .executeTakeFirst()
      state = row?.state as string | undefined
      if (state === 'captured') break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(state).toBe('captured')
    // token, authorization, capture and their operations: all at the acquirer's.
    expect(await rowsIn(acquirer.database)).toBeGreaterThanOrEqual(4)
    expect(await rowsIn(h.testDb.database)).toBe(0)
  })
})
