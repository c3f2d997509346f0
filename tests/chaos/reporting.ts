import { sql, type Kysely } from 'kysely'
import type { DistributedPlatform } from '../e2e/distributed.js'
import type { InvariantResult } from './invariants.js'

// Issue 19: the reporting service's figures after the chaos run, reconciled with the payments
// ledger and the orders (its own database against theirs, once the platform has settled).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

type Sums = Record<string, { captured: number; refunded: number }>

async function sumsOf(db: Kysely<any>, query: ReturnType<typeof sql<any>>): Promise<Sums> {
  const sums: Sums = {}
  for (const row of (await query.execute(db)).rows as Array<Record<string, unknown>>) {
    const currency = String(row.currency).trim()
    const sum = (sums[currency] ??= { captured: 0, refunded: 0 })
    if (row.kind === 'capture') sum.captured = Number(row.amount)
    if (row.kind === 'refund') sum.refunded = Number(row.amount)
  }
  return sums
}

/**
 * Reporting's captured and refunded sums per currency are the ledger's; it heard every order
 * placed (the day figures' `placed`) and every cart started the cart service's outbox holds (its
 * `carts`: a cart whose `cart.started` was lost between Redis and the outbox in a crash is in
 * neither, so the pipeline from the outbox on is what is checked). It consumes the same events
 * the others do, maybe later: read again for up to a minute before judging.
 */
export async function checkReporting(platform: DistributedPlatform): Promise<InvariantResult[]> {
  const reporting = platform.databases.reporting?.database.db as Kysely<any> | undefined
  if (!reporting) {
    return [
      { name: 'reporting reconciled with the ledger', ok: false, detail: 'no reporting database' },
    ]
  }
  const payments = platform.databases.payments!.database.db as Kysely<any>
  const orders = platform.databases.orders!.database.db as Kysely<any>
  const cart = platform.databases.cart!.database.db as Kysely<any>
  const deadline = Date.now() + 60_000
  for (;;) {
    const [ledger, reported, placed, heard, started, counted] = await Promise.all([
      sumsOf(
        payments,
        sql`select kind, currency, sum(amount) as amount from ledger_entries
            where kind in ('capture', 'refund') group by kind, currency`,
      ),
      sumsOf(
        reporting,
        sql`select kind, currency, sum(amount) as amount from reporting_payments
            group by kind, currency`,
      ),
      sql<{ n: string }>`select count(*) as n from orders`.execute(orders),
      sql<{ n: string }>`select count(*) as n from reporting_orders
        where placed_at is not null`.execute(reporting),
      // One row per cart and start on both sides (sent rows stay in the outbox for a day).
      sql<{ n: string }>`select count(distinct (payload::jsonb -> 'data' ->> 'cartId',
        payload::jsonb -> 'data' ->> 'at')) as n from outbox where type = 'cart.started'`.execute(
        cart,
      ),
      sql<{ n: string }>`select count(*) as n from reporting_carts`.execute(reporting),
    ])
    const placedCount = Number(placed.rows[0]!.n)
    const heardCount = Number(heard.rows[0]!.n)
    const startedCount = Number(started.rows[0]!.n)
    const countedCount = Number(counted.rows[0]!.n)
    const same = JSON.stringify(sorted(ledger)) === JSON.stringify(sorted(reported))
    const allHeard = placedCount === heardCount && startedCount === countedCount
    if ((same && allHeard) || Date.now() > deadline) {
      return [
        {
          name: 'reporting reconciled with the ledger',
          ok: same,
          detail: `ledger ${JSON.stringify(sorted(ledger))}, reporting ${JSON.stringify(sorted(reported))}`,
        },
        {
          name: 'reporting heard every order placed',
          ok: placedCount === heardCount,
          detail: `${heardCount} orders placed in reporting's figures (placed), ${placedCount} in orders`,
        },
        {
          name: 'reporting heard every cart started',
          ok: startedCount === countedCount,
          detail: `${countedCount} carts started in reporting's figures (carts), ${startedCount} in the cart service's outbox`,
        },
      ]
    }
    await sleep(1000)
  }
}

function sorted(sums: Sums): Sums {
  return Object.fromEntries(Object.entries(sums).sort(([a], [b]) => a.localeCompare(b)))
}
