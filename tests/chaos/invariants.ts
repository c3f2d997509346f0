import { sql, type Kysely } from 'kysely'
import { pino } from 'pino'
import { createBusFromUrl } from '@emporium/platform'
import { natsQueueDepths } from '@emporium/platform/testing'
import type { DistributedPlatform } from '../e2e/distributed.js'
import { ShopClient } from '../e2e/shop-client.js'

// The invariants of the checkout saga (DESIGN.md, "The checkout saga"), checked over the
// services' own databases and the run's broker (RabbitMQ vhost or NATS) once the platform has settled. Each
// service's tables are those of its migrations (services/<name>/migrations).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const finalStatuses = ['confirmed', 'shipped', 'cancelled']

export interface InvariantResult {
  name: string
  ok: boolean
  detail: string
}

export interface StockLevel {
  onHand: number
  reserved: number
}

export interface DeadLetterSummary {
  consumer: string
  id: string
  type: string
  attempts: number
  error: string
}

/** Facts of the run the report shows beside the invariants. */
export interface Outcome {
  orders: Record<string, number>
  cancellations: Record<string, number>
  confirmedTotal: number
  payments: Record<string, number>
  deadLetters: DeadLetterSummary[]
  /** Orders in the database the load generator never got a 202 for (its answer was lost). */
  ordersUnknownToClient: number
}

type Db = Kysely<any>
const dbOf = (platform: DistributedPlatform, name: string): Db =>
  platform.databases[name]!.database.db

async function rows<T>(db: Db, query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(db)).rows
}

/**
 * Every variant's stock now (catalog's `stock` table, one row per variant; a product's first
 * variant has the product's id).
 */
export async function stockLevels(platform: DistributedPlatform): Promise<Map<string, StockLevel>> {
  const levels = await rows<{ variant_id: string; on_hand: number; reserved: number }>(
    dbOf(platform, 'catalog'),
    sql`select variant_id, on_hand, reserved from stock`,
  )
  return new Map(levels.map((r) => [r.variant_id, { onHand: r.on_hand, reserved: r.reserved }]))
}

/** The run's queues: name → messages ready or unacked (on NATS, its consumers, named alike). */
async function queueDepths(platform: DistributedPlatform): Promise<Map<string, number>> {
  if (platform.broker === 'nats') return natsQueueDepths(platform.rabbitmqUrl)
  // On the run's broker: its own node when it has one.
  const stdout = await platform.rabbitmqctl(
    'list_queues',
    '-p',
    platform.vhost,
    'name',
    'messages',
    '--formatter',
    'json',
    '-q',
  )
  const queues = JSON.parse(stdout || '[]') as Array<{ name: string; messages: number }>
  return new Map(queues.map((q) => [q.name, q.messages]))
}

/** What still moves: open orders, payments due, unsent events, held stock, queued messages. */
async function inFlight(platform: DistributedPlatform): Promise<string[]> {
  const open: string[] = []
  const count = async (db: string, query: ReturnType<typeof sql<{ n: number }>>) =>
    Number((await rows(dbOf(platform, db), query))[0]?.n ?? 0)
  const orders = await count(
    'orders',
    sql`select count(*)::int as n from orders where status not in ('confirmed', 'shipped', 'cancelled')`,
  )
  if (orders) open.push(`${orders} orders not final`)
  const payments = await count(
    'payments',
    sql`select count(*)::int as n from payments where state in ('pending', 'authorized', 'refund_pending')`,
  )
  if (payments) open.push(`${payments} payments due`)
  // Issue 19: refunds not landed, returns received whose refund is on its way.
  const refunds = await count(
    'payments',
    sql`select count(*)::int as n from partial_refunds where state = 'pending'`,
  )
  if (refunds) open.push(`${refunds} partial refunds due`)
  const asked = await count(
    'orders',
    sql`select count(*)::int as n from order_refunds where status = 'requested'`,
  )
  if (asked) open.push(`${asked} refunds requested`)
  const returns = await count(
    'orders',
    sql`select count(*)::int as n from order_returns where status = 'received'`,
  )
  if (returns) open.push(`${returns} returns received, not refunded`)
  const held = await count(
    'catalog',
    sql`select count(*)::int as n from reservations where status = 'held'`,
  )
  if (held) open.push(`${held} reservations held`)
  for (const name of Object.keys(platform.databases)) {
    const unsent = await count(name, sql`select count(*) as n from outbox where sent_at is null`)
    if (unsent) open.push(`${unsent} unsent in ${name}'s outbox`)
  }
  for (const [queue, messages] of await queueDepths(platform)) {
    if (messages > 0 && !queue.endsWith('.dlq')) open.push(`${messages} messages in ${queue}`)
  }
  return open
}

/**
 * Waits until nothing moves any more (every order final, no payment due, no unsent event, no
 * held stock, no queued message), or `timeoutMs`; returns what still moved then, if anything.
 */
export async function settle(
  platform: DistributedPlatform,
  timeoutMs: number,
): Promise<{ seconds: number; open: string[] }> {
  const started = Date.now()
  let open: string[] = []
  for (;;) {
    try {
      open = await inFlight(platform)
    } catch (error) {
      open = [`cannot look: ${String(error)}`]
    }
    if (open.length === 0 || Date.now() - started > timeoutMs) break
    await sleep(1_000)
  }
  return { seconds: (Date.now() - started) / 1000, open }
}

/** The run's dead letters with their last error (the dlq command's `list`). */
async function deadLetters(platform: DistributedPlatform): Promise<DeadLetterSummary[]> {
  const dlqs = [...(await queueDepths(platform))].filter(
    ([name, messages]) => name.endsWith('.dlq') && messages > 0,
  )
  if (dlqs.length === 0) return []
  const bus = createBusFromUrl(platform.rabbitmqUrl, { log: pino({ level: 'silent' }) })
  try {
    const letters: DeadLetterSummary[] = []
    for (const [queue] of dlqs) {
      for (const letter of await bus.deadLetters.list(queue.slice(0, -'.dlq'.length))) {
        letters.push({
          consumer: letter.consumer,
          id: letter.id,
          type: letter.envelope.type,
          attempts: letter.attempts,
          error: letter.error.slice(0, 300),
        })
      }
    }
    return letters
  } finally {
    await bus.close()
  }
}

const sample = (items: readonly unknown[], n = 5) =>
  items.length > n
    ? `${JSON.stringify(items.slice(0, n))} … (${items.length} in all)`
    : JSON.stringify(items)

/**
 * Checks every invariant; `initialStock` is the stock before the load, `clientOrderIds` the
 * orders the load generator was told about, `confirmedSeen` how many it saw confirmed.
 */
export async function checkInvariants(
  platform: DistributedPlatform,
  input: { initialStock: Map<string, StockLevel>; clientOrderIds: readonly string[] },
): Promise<{ results: InvariantResult[]; outcome: Outcome }> {
  const results: InvariantResult[] = []
  const check = (name: string, ok: boolean, detail: string) => results.push({ name, ok, detail })
  const orders = dbOf(platform, 'orders')
  const catalog = dbOf(platform, 'catalog')
  const payments = dbOf(platform, 'payments')

  // ---- orders: every one final
  const allOrders = await rows<{
    id: string
    status: string
    total_amount: number
    currency: string
    payment_status: string | null
    cancellation_reason: string | null
  }>(
    orders,
    sql`select id, status, total_amount, currency, payment_status, cancellation_reason from orders`,
  )
  const byStatus: Record<string, number> = {}
  const cancellations: Record<string, number> = {}
  for (const order of allOrders) {
    byStatus[order.status] = (byStatus[order.status] ?? 0) + 1
    if (order.status === 'cancelled') {
      const reason = order.cancellation_reason ?? 'unknown'
      cancellations[reason] = (cancellations[reason] ?? 0) + 1
    }
  }
  const notFinal = allOrders.filter((o) => !finalStatuses.includes(o.status))
  check(
    'every order final',
    notFinal.length === 0,
    notFinal.length === 0
      ? `${allOrders.length} orders, all confirmed, shipped or cancelled`
      : `${notFinal.length} of ${allOrders.length} not final: ${sample(notFinal.map((o) => `${o.id} ${o.status}`))}`,
  )
  const confirmed = allOrders.filter((o) => o.status === 'confirmed' || o.status === 'shipped')
  check(
    'orders confirmed during the run',
    confirmed.length > 0,
    `${confirmed.length} confirmed of ${allOrders.length} placed`,
  )
  const known = new Set(input.clientOrderIds)
  const ids = new Set(allOrders.map((o) => o.id))
  const lost = input.clientOrderIds.filter((id) => !ids.has(id))
  check(
    'every order the client was given exists',
    lost.length === 0,
    lost.length === 0
      ? `${input.clientOrderIds.length} accepted orders all stored`
      : `${lost.length} accepted (202) but not stored: ${sample(lost)}`,
  )

  // ---- payments: at most one per order and attempt (a retry after a decline is the next
  // attempt), at most one capture per order at the acquirer whatever its attempts, every
  // acquirer capture in our ledger, every payment finished
  const doubled = await rows<{ order_id: string; n: number }>(
    payments,
    sql`select order_id, count(*)::int as n from payments group by order_id, attempt having count(*) > 1`,
  )
  // The acquirer's keys: `op:<orderId>:authorize`, or `op:<orderId>:<attempt>:authorize`.
  const acquirerCaptures = await rows<{ order_id: string; capture_id: string }>(
    payments,
    sql`select split_part(substr(a.key, 4), ':', 1) as order_id,
               c.value::jsonb ->> 'id' as capture_id
        from simulated_acquirer a
        join simulated_acquirer c
          on c.key = 'captured:' || (a.value::jsonb -> 'result' ->> 'authorizationId')
        where a.key like 'op:%:authorize'`,
  )
  const capturesPerOrder = new Map<string, number>()
  for (const c of acquirerCaptures)
    capturesPerOrder.set(c.order_id, (capturesPerOrder.get(c.order_id) ?? 0) + 1)
  const twiceAtAcquirer = [...capturesPerOrder].filter(([, n]) => n > 1)
  check(
    'no double capture',
    doubled.length === 0 && twiceAtAcquirer.length === 0,
    `${doubled.length} orders with more than one payment for an attempt, ${twiceAtAcquirer.length} captured more than once at the acquirer (${acquirerCaptures.length} captures there)`,
  )
  const ledger = await rows<{
    order_id: string
    kind: string
    provider_reference: string
    amount: number
    currency: string
  }>(payments, sql`select order_id, kind, provider_reference, amount, currency from ledger_entries`)
  const ledgerCaptures = new Set(
    ledger.filter((e) => e.kind === 'capture').map((e) => e.provider_reference),
  )
  const unrecorded = acquirerCaptures.filter((c) => !ledgerCaptures.has(c.capture_id))
  check(
    'every capture at the acquirer is in the ledger',
    unrecorded.length === 0,
    unrecorded.length === 0
      ? `${acquirerCaptures.length} acquirer captures, all recorded`
      : `${unrecorded.length} captures the ledger does not know: ${sample(unrecorded.map((c) => c.order_id))}`,
  )
  const paymentStates = await rows<{ state: string; n: number }>(
    payments,
    sql`select state, count(*)::int as n from payments group by state`,
  )
  const byState = Object.fromEntries(paymentStates.map((r) => [r.state, r.n]))
  const due = ['pending', 'authorized', 'refund_pending'].reduce((n, s) => n + (byState[s] ?? 0), 0)
  check('every payment finished', due === 0, `payments by state ${JSON.stringify(byState)}`)

  // ---- ledger: captured − refunded per order = the order's total less its refundedAmount (the
  // sum of its refunds landed, issue 19) if confirmed, else 0 (a cancellation refunds the rest)
  const refundedOf = await orderRefunded(platform)
  const net = new Map<string, number>()
  for (const entry of ledger) {
    const sign = entry.kind === 'capture' ? 1 : entry.kind === 'refund' ? -1 : 0
    net.set(entry.order_id, (net.get(entry.order_id) ?? 0) + sign * entry.amount)
  }
  const byId = new Map(allOrders.map((o) => [o.id, o]))
  const mismatches: string[] = []
  for (const order of allOrders) {
    const expected = finalStatuses.slice(0, 2).includes(order.status)
      ? order.total_amount - (refundedOf.get(order.id) ?? 0)
      : 0
    const actual = net.get(order.id) ?? 0
    if (actual !== expected)
      mismatches.push(`${order.id} ${order.status}: net ${actual}, expected ${expected}`)
  }
  for (const orderId of net.keys()) {
    if (!byId.has(orderId)) mismatches.push(`${orderId}: money moved for an unknown order`)
  }
  const confirmedTotal = confirmed.reduce(
    (sum, o) => sum + o.total_amount - (refundedOf.get(o.id) ?? 0),
    0,
  )
  const netTotal = [...net.values()].reduce((a, b) => a + b, 0)
  check(
    'ledger reconciles',
    mismatches.length === 0 && netTotal === confirmedTotal,
    mismatches.length === 0
      ? `captured − refunded = ${netTotal} = confirmed totals less their refunds ${confirmedTotal}`
      : `${mismatches.length} orders off: ${sample(mismatches)}; net ${netTotal} vs confirmed ${confirmedTotal}`,
  )

  // ---- stock: initial onHand − units of confirmed orders + units returned and restocked (issue
  // 19) = onHand now; nothing reserved
  const sold = new Map<string, number>()
  for (const line of await rows<{ product_id: string; n: number }>(
    orders,
    // Per variant: a line names one (null: the product's first, whose id is the product's).
    sql`select coalesce(l.variant_id, l.product_id) as product_id, sum(l.quantity)::int as n
        from order_lines l join orders o on o.id = l.order_id
        where o.status in ('confirmed', 'shipped') group by 1`,
  ))
    sold.set(line.product_id, line.n)
  const committed = new Map<string, number>()
  for (const line of await rows<{ product_id: string; n: number }>(
    catalog,
    sql`select rl.variant_id as product_id, sum(rl.quantity)::int as n from reservation_lines rl
        join reservations r on r.order_id = rl.order_id
        where r.status = 'committed' group by rl.variant_id`,
  ))
    committed.set(line.product_id, line.n)
  const restocked = await restockedUnits(platform)
  const now = await stockLevels(platform)
  const off: string[] = []
  let unitsSold = 0
  let unitsRestocked = 0
  for (const [productId, level] of now) {
    const before = input.initialStock.get(productId)
    const units = sold.get(productId) ?? 0
    const back = restocked.get(productId) ?? 0
    unitsSold += units
    unitsRestocked += back
    if (level.reserved !== 0 || level.onHand < 0) off.push(`${productId}: ${JSON.stringify(level)}`)
    if (before && before.onHand - units + back !== level.onHand)
      off.push(
        `${productId}: ${before.onHand} − ${units} sold + ${back} restocked ≠ ${level.onHand} on hand`,
      )
    if ((committed.get(productId) ?? 0) !== units)
      off.push(`${productId}: ${committed.get(productId) ?? 0} committed ≠ ${units} sold`)
  }
  for (const productId of [...sold.keys(), ...restocked.keys()])
    if (!now.has(productId)) off.push(`${productId}: sold or restocked but unknown to catalog`)
  const held = await rows<{ n: number }>(
    catalog,
    sql`select count(*)::int as n from reservations where status = 'held'`,
  )
  const heldCount = held[0]?.n ?? 0
  check(
    'stock conserved',
    off.length === 0 && heldCount === 0,
    off.length === 0 && heldCount === 0
      ? `${now.size} products: initial on hand − ${unitsSold} units sold + ${unitsRestocked} returned and restocked = on hand now; committed = sold; nothing reserved`
      : `${off.length} products off, ${heldCount} reservations held: ${sample(off)}`,
  )

  // ---- messaging: nothing left in any outbox; dead letters listed
  const unsent: string[] = []
  for (const name of Object.keys(platform.databases)) {
    const [row] = await rows<{ n: number }>(
      dbOf(platform, name),
      sql`select count(*) as n from outbox where sent_at is null`,
    )
    if (Number(row?.n ?? 0) > 0) unsent.push(`${name}: ${row!.n}`)
  }
  check(
    'no unsent event in any outbox',
    unsent.length === 0,
    unsent.length === 0
      ? `outboxes of ${Object.keys(platform.databases).join(', ')} all sent`
      : unsent.join(', '),
  )
  const letters = await deadLetters(platform)
  const [paymentRows] = await rows<{ n: number }>(
    payments,
    sql`select count(*)::int as n from payments`,
  )
  return {
    results,
    outcome: {
      orders: byStatus,
      cancellations,
      confirmedTotal,
      payments: { ...byState, total: paymentRows?.n ?? 0 },
      deadLetters: letters,
      ordersUnknownToClient: allOrders.filter((o) => !known.has(o.id)).length,
    },
  }
}

/** How a steadfast shopper's attempt ends when the product sold out (steadfast.ts). */
export const soldOut = 'out of stock at add to cart'

/**
 * Shoppers who retried their checkout with one Idempotency-Key through the faults: each has
 * exactly the order its accepted answer named (none twice, none lost), or at most one when no
 * answer came in time.
 */
export async function checkSteadfast(
  platform: DistributedPlatform,
  checkouts: ReadonlyArray<{ userId: string; orderId?: string; failure?: string }>,
): Promise<InvariantResult> {
  const users = checkouts.filter((c) => c.userId)
  const owned = new Map<string, string[]>()
  if (users.length > 0) {
    const found = await rows<{ id: string; user_id: string }>(
      dbOf(platform, 'orders'),
      sql`select id, user_id from orders where user_id in (${sql.join(users.map((u) => u.userId))})`,
    )
    for (const order of found)
      owned.set(order.user_id, [...(owned.get(order.user_id) ?? []), order.id])
  }
  const wrong: string[] = []
  for (const checkout of users) {
    const orders = owned.get(checkout.userId) ?? []
    if (
      checkout.orderId ? orders.length !== 1 || orders[0] !== checkout.orderId : orders.length > 1
    )
      wrong.push(
        `${checkout.userId}: told ${checkout.orderId ?? 'nothing'}, has ${JSON.stringify(orders)}`,
      )
  }
  const accepted = users.filter((c) => c.orderId).length
  const reasons: Record<string, number> = {}
  for (const c of checkouts.filter((x) => x.failure)) {
    const reason = c.failure!.replace(/[0-9a-f-]{36}/g, '…').slice(0, 60)
    reasons[reason] = (reasons[reason] ?? 0) + 1
  }
  // Sold out is an answer; any other end (given up after retrying, refused) is a failure.
  const failed = checkouts.filter((c) => c.failure && c.failure !== soldOut)
  return {
    name: 'one order per retried checkout',
    ok: wrong.length === 0 && failed.length === 0,
    detail:
      `${checkouts.length} shoppers retrying with one Idempotency-Key: ${accepted} orders accepted` +
      (wrong.length === 0
        ? ', each stored once'
        : `; ${wrong.length} with the wrong orders: ${sample(wrong)}`) +
      (Object.keys(reasons).length ? `; not accepted: ${JSON.stringify(reasons)}` : ''),
  }
}

// ---- issue 18: shipping, tax, promotions and shipments under the same faults

/** What `checkPricing`, `checkPromotion` and `checkFulfilment` need of the run's set-up. */
export interface PricingSetUp {
  methodId: string
  promotion: { id: string; code: string; usageLimit: number }
}

interface PricedOrder {
  id: string
  status: string
  total_amount: number
  currency: string
  subtotal_amount: number | null
  discount_amount: number | null
  shipping_amount: number | null
  tax_amount: number | null
  tax_inclusive: boolean | null
  shipping_method: string | null
  promotion_code: string | null
}

async function pricedOrders(platform: DistributedPlatform): Promise<PricedOrder[]> {
  const found = await rows<PricedOrder>(
    dbOf(platform, 'orders'),
    sql`select id, status, total_amount, currency, subtotal_amount, discount_amount,
               shipping_amount, tax_amount, tax_inclusive, shipping_method, promotion_code
        from orders`,
  )
  // bigint columns come back as strings
  const n = (v: number | string | null) => (v === null ? null : Number(v))
  return found.map((o) => ({
    ...o,
    total_amount: Number(o.total_amount),
    subtotal_amount: n(o.subtotal_amount),
    discount_amount: n(o.discount_amount),
    shipping_amount: n(o.shipping_amount),
    tax_amount: n(o.tax_amount),
  }))
}

/**
 * Every order placed after the set-up paid the run's shipping method and tax, its total is
 * subtotal − discount + shipping + tax, and every captured payment charged its order's total
 * (the payment service's `payments` row and the ledger's capture alike).
 */
export async function checkPricing(
  platform: DistributedPlatform,
  pricing: PricingSetUp & { shippingPrice: number },
): Promise<InvariantResult[]> {
  const results: InvariantResult[] = []
  const all = await pricedOrders(platform)
  const off: string[] = []
  for (const o of all) {
    const method = o.shipping_method ? (JSON.parse(o.shipping_method) as { id?: string }) : null
    const added = o.tax_inclusive ? 0 : (o.tax_amount ?? 0)
    const expected =
      (o.subtotal_amount ?? Number.NaN) -
      (o.discount_amount ?? 0) +
      (o.shipping_amount ?? 0) +
      added
    if (o.shipping_amount !== pricing.shippingPrice || method?.id !== pricing.methodId)
      off.push(`${o.id}: shipping ${o.shipping_amount} by ${method?.id ?? 'no method'}`)
    else if (!(o.tax_amount !== null && o.tax_amount > 0)) off.push(`${o.id}: tax ${o.tax_amount}`)
    else if (o.total_amount !== expected)
      off.push(
        `${o.id}: total ${o.total_amount} ≠ ${o.subtotal_amount} − ${o.discount_amount} + ${o.shipping_amount} + ${added}`,
      )
  }
  results.push({
    name: 'every order priced with shipping and tax',
    ok: all.length > 0 && off.length === 0,
    detail:
      off.length === 0
        ? `${all.length} orders: shipping ${pricing.shippingPrice} by the run's method, tax > 0, total = subtotal − discount + shipping + tax`
        : `${off.length} of ${all.length} orders off: ${sample(off)}`,
  })

  const totals = new Map(all.map((o) => [o.id, o]))
  const captured = await rows<{
    order_id: string
    attempt: number
    amount: string
    currency: string
  }>(
    dbOf(platform, 'payments'),
    sql`select order_id, attempt, amount, currency from payments where capture_id is not null`,
  )
  const ledgerCaptures = await rows<{ order_id: string; amount: string; currency: string }>(
    dbOf(platform, 'payments'),
    sql`select order_id, amount, currency from ledger_entries where kind = 'capture'`,
  )
  const wrong: string[] = []
  for (const [what, list] of [
    ['payment', captured],
    ['ledger capture', ledgerCaptures],
  ] as const) {
    for (const c of list) {
      const order = totals.get(c.order_id)
      if (!order) wrong.push(`${what} of unknown order ${c.order_id}`)
      else if (Number(c.amount) !== order.total_amount || c.currency !== order.currency)
        wrong.push(
          `${what} of ${c.order_id}: ${c.amount} ${c.currency} ≠ total ${order.total_amount} ${order.currency}`,
        )
    }
  }
  results.push({
    name: "every capture charged its order's total",
    ok: wrong.length === 0 && captured.length > 0,
    detail:
      wrong.length === 0
        ? `${captured.length} captured payments and ${ledgerCaptures.length} ledger captures, each the order's total (shipping and tax included)`
        : `${wrong.length} off: ${sample(wrong)}`,
  })
  return results
}

/**
 * The promotion's uses reconcile with the orders carrying its code: spent = confirmed or shipped
 * orders with the code, nothing reserved once every order is final, spent ≤ the limit; every
 * order with the code has its use (spent if confirmed or shipped, released if cancelled) and a
 * discount, no order without it has one; the admins' view (`GET /promotions/{id}`) says the same.
 */
export async function checkPromotion(
  platform: DistributedPlatform,
  pricing: PricingSetUp,
  adminToken: string,
): Promise<InvariantResult[]> {
  const { promotion } = pricing
  const all = await pricedOrders(platform)
  const uses = await rows<{ order_id: string; status: string }>(
    dbOf(platform, 'orders'),
    sql`select order_id, status from promotion_uses where promotion_id = ${promotion.id}`,
  )
  const useOf = new Map(uses.map((u) => [u.order_id, u.status]))
  const count = (status: string) => uses.filter((u) => u.status === status).length
  const spent = count('spent')
  const reserved = count('reserved')
  const carrying = all.filter((o) => o.promotion_code?.toUpperCase() === promotion.code)
  const confirmedCarrying = carrying.filter(
    (o) => o.status === 'confirmed' || o.status === 'shipped',
  )
  const off: string[] = []
  for (const o of carrying) {
    const want =
      o.status === 'cancelled'
        ? 'released'
        : o.status === 'confirmed' || o.status === 'shipped'
          ? 'spent'
          : 'reserved'
    if (useOf.get(o.id) !== want) off.push(`${o.id} ${o.status}: use ${useOf.get(o.id) ?? 'none'}`)
    if (!(o.discount_amount && o.discount_amount > 0)) off.push(`${o.id}: code without discount`)
  }
  const byId = new Map(all.map((o) => [o.id, o]))
  for (const u of uses)
    if (byId.get(u.order_id)?.promotion_code?.toUpperCase() !== promotion.code)
      off.push(`use ${u.status} of ${u.order_id}, an order without the code`)
  for (const o of all)
    if (o.promotion_code === null && (o.discount_amount ?? 0) !== 0)
      off.push(`${o.id}: discount ${o.discount_amount} without a code`)
  let view = 'admin view not read'
  try {
    const reply = await new ShopClient(platform.api).call<{ uses: number; reserved: number }>(
      `/promotions/${promotion.id}`,
      { token: adminToken },
    )
    if (reply.status !== 200 || reply.body.uses !== spent || reply.body.reserved !== reserved)
      off.push(`admin view ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`)
    view = `admin view uses ${reply.body.uses}, reserved ${reply.body.reserved}`
  } catch (error) {
    off.push(`admin view: ${String(error)}`)
  }
  const ok =
    off.length === 0 &&
    spent === confirmedCarrying.length &&
    reserved === 0 &&
    spent <= promotion.usageLimit &&
    spent > 0
  return [
    {
      name: 'promotion uses reconciled',
      ok,
      detail:
        `${promotion.code} (limit ${promotion.usageLimit}): ${spent} spent = ${confirmedCarrying.length} confirmed or shipped orders with the code, ` +
        `${reserved} reserved, ${count('released')} released (${carrying.length} orders carried it); ${view}` +
        (off.length ? `; off: ${sample(off)}` : ''),
    },
  ]
}

/**
 * Shipments: no order line shipped more than ordered, shipments only of confirmed or shipped
 * orders, an order `shipped` exactly when its shipments hold every line, orders' copy of the
 * shipments the shipping service's, and every order the fulfiller completed `shipped`.
 */
export async function checkFulfilment(
  platform: DistributedPlatform,
  fulfilment: ReadonlyArray<{
    orderId: string
    outcome: string
    partial: boolean
    shipments: number
    detail?: string
  }>,
): Promise<InvariantResult[]> {
  const results: InvariantResult[] = []
  const orders = dbOf(platform, 'orders')
  const status = new Map(
    (await rows<{ id: string; status: string }>(orders, sql`select id, status from orders`)).map(
      (o) => [o.id, o.status],
    ),
  )
  const ordered = new Map<string, number>() // `${order} ${variant}` → units
  for (const l of await rows<{ order_id: string; variant: string; n: number }>(
    orders,
    sql`select order_id, coalesce(variant_id, product_id) as variant, sum(quantity)::int as n
        from order_lines group by 1, 2`,
  ))
    ordered.set(`${l.order_id} ${l.variant}`, l.n)
  const shippedUnits = new Map<string, number>()
  for (const l of await rows<{ order_id: string; variant: string; n: number }>(
    dbOf(platform, 'shipping'),
    sql`select s.order_id, l.variant_id as variant, sum(l.quantity)::int as n
        from shipment_lines l join shipments s on s.id = l.shipment_id group by 1, 2`,
  ))
    shippedUnits.set(`${l.order_id} ${l.variant}`, l.n)
  const shipments = await rows<{ id: string; order_id: string }>(
    dbOf(platform, 'shipping'),
    sql`select id, order_id from shipments`,
  )
  const over: string[] = []
  for (const [key, n] of shippedUnits) {
    const want = ordered.get(key)
    if (want === undefined) over.push(`${key}: ${n} shipped, not ordered`)
    else if (n > want) over.push(`${key}: ${n} shipped of ${want}`)
  }
  const shippedOrders = new Set(shipments.map((s) => s.order_id))
  const wrongStatus = [...shippedOrders].filter(
    (id) => !['confirmed', 'shipped'].includes(status.get(id) ?? 'unknown'),
  )
  results.push({
    name: 'no line shipped beyond its order',
    ok: over.length === 0 && wrongStatus.length === 0,
    detail:
      over.length === 0 && wrongStatus.length === 0
        ? `${shipments.length} shipments of ${shippedOrders.size} orders, all confirmed or shipped, none beyond a line's quantity`
        : `${sample(over)}; orders not confirmed nor shipped with shipments: ${sample(wrongStatus.map((id) => `${id} ${status.get(id)}`))}`,
  })

  // An order is `shipped` exactly when every line is in a shipment (nothing in the run ships by
  // the one-click POST /orders/{id}/ship); orders' copy of the shipments is shipping's.
  const complete = new Set(
    [...shippedOrders].filter((id) =>
      [...ordered]
        .filter(([key]) => key.startsWith(`${id} `))
        .every(([key, n]) => (shippedUnits.get(key) ?? 0) === n),
    ),
  )
  const mismatch: string[] = []
  for (const [id, s] of status) {
    if ((s === 'shipped') !== complete.has(id))
      mismatch.push(`${id} ${s}, ${complete.has(id) ? 'every line shipped' : 'lines unshipped'}`)
  }
  const recorded = new Set(
    (await rows<{ shipment_id: string }>(orders, sql`select shipment_id from order_shipments`)).map(
      (r) => r.shipment_id,
    ),
  )
  const unrecorded = shipments.filter((s) => !recorded.has(s.id))
  // Where each of a few missing ones was lost: never written to shipping's outbox, written and
  // not sent, sent and never handled by orders (no inbox row), or handled with no effect.
  const traces: string[] = []
  for (const shipment of unrecorded.slice(0, 5)) {
    const [event] = await rows<{ id: string; sent_at: Date | null }>(
      dbOf(platform, 'shipping'),
      sql`select id, sent_at from outbox where type = 'shipment.created' and payload like ${`%${shipment.id}%`}`,
    )
    const handled = event
      ? await rows<{ handled_at: Date }>(
          orders,
          sql`select handled_at from inbox where event_id = ${event.id}`,
        )
      : []
    traces.push(
      !event
        ? `${shipment.id}: no shipment.created in shipping's outbox`
        : `${shipment.id}: event ${event.id} ${event.sent_at ? `sent ${new Date(event.sent_at).toISOString()}` : 'unsent'}, ${handled[0] ? `in orders' inbox ${new Date(handled[0].handled_at).toISOString()}` : "not in orders' inbox"}`,
    )
  }
  results.push({
    name: 'orders shipped exactly when their shipments hold every line',
    ok: mismatch.length === 0 && unrecorded.length === 0 && recorded.size === shipments.length,
    detail:
      mismatch.length === 0 && unrecorded.length === 0
        ? `${complete.size} orders shipped in full, all \`shipped\`; orders record the ${recorded.size} shipments shipping made`
        : `${mismatch.length} off: ${sample(mismatch)}; ${unrecorded.length} shipments unknown to orders of ${shipments.length} (orders records ${recorded.size}): ${traces.join('; ')}`,
  })

  const done = fulfilment.filter((f) => f.outcome === 'shipped')
  const notShipped = done.filter((f) => status.get(f.orderId) !== 'shipped')
  // Cancelled after a shipment: the order would have shipped goods refunded.
  const cancelledShipped = fulfilment.filter((f) => f.outcome === 'cancelled' && f.shipments > 0)
  // An order not confirmed in the fulfiller's patience is left unshipped (whether it ended is
  // the first invariant's business); one it could not ship through the faults is a failure.
  const stuck = fulfilment.filter((f) => f.outcome === 'gave up')
  const outcomes: Record<string, number> = {}
  for (const f of fulfilment) outcomes[f.outcome] = (outcomes[f.outcome] ?? 0) + 1
  const partial = done.filter((f) => f.partial).length
  results.push({
    name: 'every order the fulfiller completed is shipped',
    ok:
      notShipped.length === 0 &&
      stuck.length === 0 &&
      cancelledShipped.length === 0 &&
      done.length > 0 &&
      partial > 0,
    detail:
      `${fulfilment.length} orders handed to the fulfiller: ${JSON.stringify(outcomes)}, ${partial} of the shipped in two shipments` +
      (notShipped.length
        ? `; completed but not shipped: ${sample(notShipped.map((f) => `${f.orderId} ${status.get(f.orderId)}`))}`
        : '') +
      (cancelledShipped.length
        ? `; cancelled after a shipment: ${sample(cancelledShipped.map((f) => f.orderId))}`
        : '') +
      (stuck.length
        ? `; not done: ${sample(stuck.map((f) => `${f.orderId} ${f.outcome} ${f.detail ?? ''}`))}`
        : ''),
  })
  return results
}

/** What each order's refunds gave back (the refunded ones: the order's `refundedAmount`). */
async function orderRefunded(platform: DistributedPlatform): Promise<Map<string, number>> {
  const sums = await rows<{ order_id: string; amount: string }>(
    dbOf(platform, 'orders'),
    sql`select order_id, sum(amount) as amount from order_refunds where status = 'refunded'
        group by order_id`,
  )
  return new Map(sums.map((r) => [r.order_id, Number(r.amount)]))
}

/** Units received back and restocked, per variant (the returns received or refunded). */
async function restockedUnits(platform: DistributedPlatform): Promise<Map<string, number>> {
  const units = new Map<string, number>()
  for (const ret of await rows<{ lines: string }>(
    dbOf(platform, 'orders'),
    sql`select lines from order_returns where status in ('received', 'refunded')`,
  )) {
    const lines = JSON.parse(ret.lines) as Array<{
      productId: string
      variantId?: string
      receivedQuantity?: number
      restock?: boolean
    }>
    for (const line of lines) {
      if (!line.restock || !line.receivedQuantity) continue
      const variant = line.variantId ?? line.productId
      units.set(variant, (units.get(variant) ?? 0) + line.receivedQuantity)
    }
  }
  return units
}

/**
 * The returns branch (issue 19): every return ended `refunded` (`received` only if its refund
 * failed) and every refund landed, as the returner saw too; payments' reconciliation (captured −
 * refunded per currency) is what the orders kept (their totals less their refunds); each refund
 * refunded exactly once (one partial refund in payments, one ledger entry, one refund at the
 * acquirer, each of its amount).
 */
export async function checkReturns(
  platform: DistributedPlatform,
  returned: ReadonlyArray<{ orderId: string; kind: string; outcome: string; detail?: string }>,
  adminToken: string,
): Promise<InvariantResult[]> {
  const results: InvariantResult[] = []
  const orders = dbOf(platform, 'orders')
  const payments = dbOf(platform, 'payments')
  const refunds = await rows<{
    id: string
    order_id: string
    amount: string
    status: string
    return_id: string | null
  }>(orders, sql`select id, order_id, amount, status, return_id from order_refunds`)
  const refundById = new Map(refunds.map((r) => [r.id, r]))
  const returns = await rows<{ id: string; order_id: string; status: string; refund_id: string }>(
    orders,
    sql`select id, order_id, status, refund_id from order_returns`,
  )
  const count = <T>(items: readonly T[], key: (item: T) => string) => {
    const counts: Record<string, number> = {}
    for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1
    return counts
  }

  // (a) every return at its end, every refund landed, the returner's work all done
  const unended = returns.filter(
    (r) =>
      r.status !== 'refunded' &&
      !(r.status === 'received' && refundById.get(r.refund_id)?.status === 'failed'),
  )
  const notLanded = refunds.filter((r) => r.status !== 'refunded')
  const undone = returned.filter((r) => r.outcome === 'gave up' || r.outcome === 'received')
  const done = (kind: string) =>
    returned.filter((r) => r.kind === kind && r.outcome === 'refunded').length
  results.push({
    name: 'every return received and refunded',
    ok:
      unended.length === 0 &&
      notLanded.length === 0 &&
      undone.length === 0 &&
      done('return') > 0 &&
      done('refund') > 0,
    detail:
      `${returns.length} returns ${JSON.stringify(count(returns, (r) => r.status))}, ` +
      `${refunds.length} refunds ${JSON.stringify(count(refunds, (r) => r.status))}; returner: ` +
      `${JSON.stringify(count(returned, (r) => `${r.kind} ${r.outcome}`))}` +
      (unended.length ? `; not ended: ${sample(unended.map((r) => `${r.id} ${r.status}`))}` : '') +
      (notLanded.length
        ? `; refunds not landed: ${sample(notLanded.map((r) => `${r.id} ${r.status}`))}`
        : '') +
      (undone.length
        ? `; returner not done: ${sample(undone.map((r) => `${r.orderId} ${r.kind} ${r.outcome} ${r.detail ?? ''}`))}`
        : ''),
  })

  // (c) payments' reconciliation: captured − refunded per currency = what the orders kept
  const kept: Record<string, number> = {}
  const refundedOf = await orderRefunded(platform)
  for (const o of await rows<{ id: string; total_amount: string; currency: string }>(
    orders,
    sql`select id, total_amount, currency from orders where status in ('confirmed', 'shipped')`,
  )) {
    const currency = o.currency.trim()
    kept[currency] = (kept[currency] ?? 0) + Number(o.total_amount) - (refundedOf.get(o.id) ?? 0)
  }
  const ledgerRefunded = await rows<{ currency: string; amount: string }>(
    payments,
    sql`select currency, sum(amount) as amount from ledger_entries where kind = 'refund'
        group by currency`,
  )
  const off: string[] = []
  let view = 'not read'
  try {
    const reply = await new ShopClient(platform.api).call<{
      currencies: Array<{ currency: string; captured: number; refunded: number; net: number }>
    }>('/payments/reconciliation', { token: adminToken })
    if (reply.status !== 200) off.push(`reconciliation ${reply.status}`)
    else {
      view = JSON.stringify(reply.body.currencies)
      const seen = new Set<string>()
      for (const c of reply.body.currencies) {
        seen.add(c.currency)
        if (c.net !== c.captured - c.refunded || c.net !== (kept[c.currency] ?? 0))
          off.push(`${c.currency}: net ${c.net} ≠ orders kept ${kept[c.currency] ?? 0}`)
        const refunded = Number(
          ledgerRefunded.find((l) => l.currency.trim() === c.currency)?.amount ?? 0,
        )
        if (c.refunded !== refunded)
          off.push(`${c.currency}: refunded ${c.refunded} ≠ ledger ${refunded}`)
      }
      for (const [currency, amount] of Object.entries(kept))
        if (!seen.has(currency) && amount !== 0) off.push(`${currency}: kept ${amount}, no entry`)
    }
  } catch (error) {
    off.push(`reconciliation: ${String(error)}`)
  }
  results.push({
    name: 'payments reconciliation = order totals less their refunds',
    ok: off.length === 0,
    detail:
      off.length === 0
        ? `GET /payments/reconciliation ${view}: captured − refunded = the confirmed and shipped orders' totals less their refundedAmount ${JSON.stringify(kept)}`
        : `${sample(off)}; reconciliation ${view}`,
  })

  // (d) each refund refunded exactly once: payments', the ledger's and the acquirer's
  const partial = await rows<{ id: string; amount: string; state: string }>(
    payments,
    sql`select id, amount, state from partial_refunds`,
  )
  const entries = await rows<{ refund_id: string; amount: string; provider_reference: string }>(
    payments,
    sql`select refund_id, amount, provider_reference from ledger_entries
        where refund_id is not null`,
  )
  const acquirer = await rows<{ refund_id: string; id: string }>(
    payments,
    sql`select split_part(key, ':', 3) as refund_id, value::jsonb ->> 'id' as id
        from simulated_acquirer where key like 'refunded:%:%'`,
  )
  const wrong: string[] = []
  const by = <T extends { [k: string]: unknown }>(items: T[], key: keyof T, id: string) =>
    items.filter((i) => i[key] === id)
  for (const r of refunds) {
    const p = by(partial, 'id', r.id)
    const e = by(entries, 'refund_id', r.id)
    const a = by(acquirer, 'refund_id', r.id)
    const landed = r.status === 'refunded' ? 1 : 0
    if (p.length !== 1 || Number(p[0]!.amount) !== Number(r.amount))
      wrong.push(`${r.id}: ${p.length} partial refunds in payments`)
    else if (e.length !== landed || a.length !== landed)
      wrong.push(`${r.id} ${r.status}: ${e.length} ledger entries, ${a.length} at the acquirer`)
    else if (
      landed &&
      (Number(e[0]!.amount) !== Number(r.amount) || e[0]!.provider_reference !== a[0]!.id)
    )
      wrong.push(
        `${r.id}: ledger ${e[0]!.amount} ${e[0]!.provider_reference}, acquirer ${a[0]!.id}`,
      )
  }
  for (const p of partial)
    if (!refundById.has(p.id)) wrong.push(`${p.id}: a partial refund orders never asked for`)
  results.push({
    name: 'each refund refunded exactly once',
    ok: wrong.length === 0 && refunds.length > 0,
    detail:
      wrong.length === 0
        ? `${refunds.length} refunds: each one partial refund in payments, one ledger entry and one refund at the acquirer of its amount`
        : `${wrong.length} off: ${sample(wrong)}`,
  })
  return results
}
