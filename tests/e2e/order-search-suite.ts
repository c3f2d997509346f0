import { randomBytes } from 'node:crypto'
import type { Order } from '@emporium/sdk'
import { expect, it } from 'vitest'
import { cards, type ShopClient } from './shop-client.js'

/**
 * The staff's order search (issue 19, API.md: `GET /api/v1/orders?all=true&number=&email=&status=
 * &from=&to=&minTotal=&maxTotal=`), end to end through the gateway, on a platform other suites
 * place orders on too: two shoppers of this suite's own e-mail prefix place four orders of
 * different totals (one cancelled), so that every search below is narrowed to them by the prefix
 * and answers exactly the orders it should. An owner (the legacy admin) and a member of staff
 * with the support role search alike; a catalogue manager (no orders.read) and a shopper are
 * refused everyone's orders (403), and a shopper's filters only ever narrow their own; a filter
 * that is not one is a 400 problem+json.
 */
export function orderSearchSuite(platform: () => { client: ShopClient; adminToken: string }) {
  const prefix = `search-${randomBytes(4).toString('hex')}`
  const emailA = `${prefix}-a@e2e.example`
  const emailB = `${prefix}-b@e2e.example`

  interface Seeded {
    /** The four orders, oldest first: A×1, A×3, B×2 and B×4 (cancelled by B). */
    orders: Order[]
    shopperA: { token: string; userId: string }
    shopperB: { token: string; userId: string }
    supportToken: string
    catalogueToken: string
  }
  let seeded: Promise<Seeded> | undefined

  /** The orders and the callers, made once for every case below (whichever runs first). */
  const seed = () => (seeded ??= makeSeed())

  async function makeSeed(): Promise<Seeded> {
    const { client, adminToken } = platform()
    const product = await client.createProduct(adminToken, 1000, 100)
    const shopperA = await client.register(emailA)
    const shopperB = await client.register(emailB)
    const orders: Order[] = []
    for (const [shopper, quantity] of [
      [shopperA, 1],
      [shopperA, 3],
      [shopperB, 2],
      [shopperB, 4],
    ] as const) {
      await client.addToCart(shopper.token, product.id, quantity)
      const placed = await client.placeOrder(shopper.token, cards.approved)
      expect(placed.status, JSON.stringify(placed.body)).toBe(202)
      if (shopper === shopperA) placedBy.a.push(placed.body.id)
      orders.push(
        await client.waitForOrder(shopper.token, placed.body.id, (o) => o.status === 'confirmed'),
      )
    }
    const cancel = await client.call(`/orders/${orders[3]!.id}/cancel`, {
      method: 'POST',
      token: shopperB.token,
    })
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(202)
    orders[3] = await client.waitForOrder(
      shopperB.token,
      orders[3]!.id,
      (o) => o.status === 'cancelled',
    )

    // Members of staff given a role by the owner (API.md: PUT /staff/{userId}/roles); a fresh
    // login carries it.
    const staff = async (role: string) => {
      const email = `${prefix}-${role}@e2e.example`
      const account = await client.register(email)
      const granted = await client.call(`/staff/${account.userId}/roles`, {
        method: 'PUT',
        token: adminToken,
        body: { roles: [role] },
      })
      expect(granted.status, JSON.stringify(granted.body)).toBe(200)
      return (await client.login(email)).token
    }
    const supportToken = await staff('support')
    const catalogueToken = await staff('catalog_manager')

    // The account's e-mail reaches the orders service as an event: every order of the prefix
    // is found by it before the cases below look.
    await expect
      .poll(async () => (await search(adminToken, { email: prefix })).body?.items?.length, {
        timeout: 60_000,
        interval: 250,
      })
      .toBe(4)
    return { orders, shopperA, shopperB, supportToken, catalogueToken }
  }

  /** `GET /orders?all=true&…` as the holder of `token` (`all: false` leaves `all` out). */
  function search(token: string, query: Record<string, string | number | boolean>) {
    const params = new URLSearchParams({ all: 'true' })
    for (const [name, value] of Object.entries(query)) {
      if (value === false && name === 'all') params.delete('all')
      else params.set(name, String(value))
    }
    return platform().client.call<{ items: Order[]; nextCursor: string | null }>(
      `/orders?${params.toString()}`,
      { token },
    )
  }

  /** The ids a search answered, in its order; a failure names the answer. */
  async function idsOf(token: string, query: Record<string, string | number | boolean>) {
    const reply = await search(token, query)
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    return reply.body.items.map((order) => order.id)
  }

  /** Whose the seeded orders are: A's are placed first (the e-mail an order answers may lag). */
  const ofA = (order: Order) => placedBy.a.includes(order.id)
  const ofB = (order: Order) => !ofA(order)
  const placedBy = { a: [] as string[] }

  /** The ids of the seeded orders `keep` keeps, newest first (the search's order). */
  const expected = (orders: Order[], keep: (order: Order) => boolean) =>
    orders
      .filter(keep)
      .map((order) => order.id)
      .reverse()

  const callers = (s: Seeded) =>
    [
      ['owner', platform().adminToken],
      ['support', s.supportToken],
    ] as const

  it('order search: staff (owner and support) find orders by number, e-mail and status', async () => {
    const s = await seed()
    const { orders } = s
    for (const [who, token] of callers(s)) {
      // By number: that order alone, whoever placed it (no other filter needed).
      for (const order of orders) {
        expect(order.number, who).toBeGreaterThan(0)
        expect(await idsOf(token, { number: order.number! }), who).toEqual([order.id])
      }
      // By the start of the customer's e-mail, case-insensitively: newest first.
      expect(await idsOf(token, { email: prefix }), who).toEqual(expected(orders, () => true))
      expect(await idsOf(token, { email: `${prefix}-A` }), who).toEqual(expected(orders, ofA))
      expect(await idsOf(token, { email: emailB.toUpperCase() }), who).toEqual(
        expected(orders, ofB),
      )
      // Not the middle of an address.
      expect(await idsOf(token, { email: prefix.slice(3) }), who).toEqual([])
      // By status, combined with the e-mail (AND).
      expect(await idsOf(token, { email: prefix, status: 'confirmed' }), who).toEqual(
        expected(orders, (o) => o.status === 'confirmed'),
      )
      expect(await idsOf(token, { email: prefix, status: 'cancelled' }), who).toEqual([
        orders[3]!.id,
      ])
      expect(await idsOf(token, { email: prefix, status: 'shipped' }), who).toEqual([])
      // A number and an e-mail that do not go together: nothing.
      expect(await idsOf(token, { email: emailA, number: orders[2]!.number! }), who).toEqual([])
      // One customer's orders, by their account's id.
      expect(await idsOf(token, { customerId: s.shopperB.userId }), who).toEqual(
        expected(orders, ofB),
      )
    }
  })

  it('order search: staff find orders by placement time and by total, bounds as API.md says', async () => {
    const s = await seed()
    const { orders } = s
    const at = (order: Order) => new Date(order.createdAt).getTime()
    const totals = orders.map((order) => order.total.amount)
    // Four quantities of one product: four totals.
    expect(new Set(totals).size).toBe(4)
    for (const [who, token] of callers(s)) {
      // `from` inclusive, `to` exclusive: from the second order to the fourth's instant.
      const from = orders[1]!.createdAt
      const to = orders[3]!.createdAt
      expect(await idsOf(token, { email: prefix, from, to }), who).toEqual(
        expected(orders, (o) => at(o) >= Date.parse(from) && at(o) < Date.parse(to)),
      )
      expect(await idsOf(token, { email: prefix, from }), who).toEqual(
        expected(orders, (o) => at(o) >= Date.parse(from)),
      )
      expect(await idsOf(token, { email: prefix, to }), who).toEqual(
        expected(orders, (o) => at(o) < Date.parse(to)),
      )
      // An offset other than Z is an instant too.
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().replace('Z', '+00:00')
      expect(await idsOf(token, { email: prefix, from: tomorrow }), who).toEqual([])

      // Totals in minor units, both bounds inclusive.
      const sorted = [...totals].sort((a, b) => a - b)
      const [min, max] = [sorted[1]!, sorted[2]!]
      expect(await idsOf(token, { email: prefix, minTotal: min, maxTotal: max }), who).toEqual(
        expected(orders, (o) => o.total.amount >= min && o.total.amount <= max),
      )
      expect(await idsOf(token, { email: prefix, minTotal: max }), who).toEqual(
        expected(orders, (o) => o.total.amount >= max),
      )
      expect(await idsOf(token, { email: prefix, maxTotal: min - 1 }), who).toEqual(
        expected(orders, (o) => o.total.amount < min),
      )
      expect(await idsOf(token, { email: prefix, minTotal: min, maxTotal: min }), who).toEqual(
        expected(orders, (o) => o.total.amount === min),
      )
      // Every filter at once.
      expect(
        await idsOf(token, {
          email: prefix,
          status: 'confirmed',
          from: orders[0]!.createdAt,
          minTotal: sorted[0]!,
          maxTotal: sorted[3]!,
        }),
        who,
      ).toEqual(expected(orders, (o) => o.status === 'confirmed'))
    }
  })

  it('order search: pages keep their filters, and a cursor of other filters is a 400', async () => {
    const s = await seed()
    const token = s.supportToken
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const reply = await search(token, {
        email: prefix,
        limit: 1,
        ...(cursor === null ? {} : { cursor }),
      })
      expect(reply.status, JSON.stringify(reply.body)).toBe(200)
      seen.push(...reply.body.items.map((order) => order.id))
      cursor = reply.body.nextCursor
    } while (cursor !== null && seen.length < 10)
    expect(seen).toEqual(expected(s.orders, () => true))

    const first = await search(token, { email: prefix, limit: 1 })
    const other = await search(token, {
      email: emailA,
      limit: 1,
      cursor: first.body.nextCursor!,
    })
    expect(other.status, JSON.stringify(other.body)).toBe(400)
    expect(other.headers.get('content-type')).toContain('application/problem+json')
    expect(other.body).toMatchObject({ code: 'ORDERS.INVALID_CURSOR' })
  })

  it('order search: a shopper searches only their own orders; others are refused everyone’s (403)', async () => {
    const s = await seed()
    const { orders, shopperA, shopperB } = s
    const ownOfA = expected(orders, ofA)
    // Everyone's orders need orders.read: a shopper and a catalogue manager are refused.
    for (const [who, token] of [
      ['shopper', shopperA.token],
      ['catalogue manager', s.catalogueToken],
    ] as const) {
      const queries: Record<string, string>[] = [
        {},
        { email: emailB },
        { customerId: shopperB.userId },
      ]
      for (const query of queries) {
        const refused = await search(token, query)
        expect(refused.status, `${who} ${JSON.stringify(refused.body)}`).toBe(403)
        expect(refused.headers.get('content-type')).toContain('application/problem+json')
        expect(refused.body).toMatchObject({ code: 'AUTH.FORBIDDEN' })
      }
    }
    // Without `all`, the filters narrow the shopper's own orders, never reach another's.
    const own = (query: Record<string, string | number>) =>
      idsOf(shopperA.token, { all: false, ...query })
    expect(await own({})).toEqual(ownOfA)
    expect(await own({ email: prefix })).toEqual(ownOfA)
    expect(await own({ email: emailB })).toEqual([])
    expect(await own({ number: orders[2]!.number! })).toEqual([])
    expect(await own({ number: orders[1]!.number! })).toEqual([orders[1]!.id])
    expect(await own({ status: 'cancelled' })).toEqual([])
    // Another's id as `customerId` needs `all=true`: a 400, not their orders.
    const byId = await search(shopperA.token, { all: false, customerId: shopperB.userId })
    expect(byId.status, JSON.stringify(byId.body)).toBe(400)
    expect(byId.headers.get('content-type')).toContain('application/problem+json')
    // No token at all: 401.
    const anonymous = await platform().client.call(`/orders?all=true&email=${prefix}`)
    expect(anonymous.status).toBe(401)
  })

  it('order search: a filter that is not one is a 400 problem+json', async () => {
    const s = await seed()
    const token = s.supportToken
    const now = new Date().toISOString()
    const earlier = new Date(Date.now() - 3_600_000).toISOString()
    const bad: [Record<string, string | number>, string | undefined][] = [
      [{ minTotal: 'abc' }, undefined],
      [{ maxTotal: '12.5' }, undefined],
      [{ minTotal: -1 }, undefined],
      [{ number: 'one' }, undefined],
      [{ number: 0 }, undefined],
      [{ status: 'lost' }, undefined],
      [{ from: 'yesterday' }, undefined],
      [{ to: '2026-13-45T00:00:00Z' }, undefined],
      [{ email: '' }, undefined],
      [{ colour: 'red' }, undefined],
      // Inverted ranges (API.md: `from` not before `to`, `minTotal` above `maxTotal`).
      [{ from: now, to: earlier }, 'ORDERS.INVALID_QUERY'],
      [{ from: now, to: now }, 'ORDERS.INVALID_QUERY'],
      [{ minTotal: 5000, maxTotal: 4999 }, 'ORDERS.INVALID_QUERY'],
    ]
    for (const [query, code] of bad) {
      const reply = await search(token, { email: prefix, ...query })
      const what = `${JSON.stringify(query)} → ${reply.status} ${JSON.stringify(reply.body)}`
      expect(reply.status, what).toBe(400)
      expect(reply.headers.get('content-type'), what).toContain('application/problem+json')
      expect(reply.body, what).toMatchObject({ status: 400 })
      if (code) expect(reply.body, what).toMatchObject({ code })
    }
  })
}
