import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ordersHarness } from './harness.js'

/**
 * The staff's side of orders (issue 19) over HTTP against each database: order numbers and the
 * customer's e-mail, the search of `GET /orders?all=true`, internal notes, and the staff cancel
 * with a reason.
 */
describe.each(['pglite', 'postgres'] as const)('orders back office on %s', (kind) => {
  const h = ordersHarness(kind)
  const { call, customer, placed, outbox, publish, tokens } = h
  const support = tokens.bearer(randomUUID(), ['customer', 'support'])
  const fulfilment = tokens.bearer(randomUUID(), ['customer', 'fulfilment'])

  /** An account the users service announced (orders keeps its e-mail). */
  async function registered(email: string) {
    const who = customer()
    await publish('user.registered', {
      userId: who.userId,
      email,
      name: 'Ada',
      roles: ['customer'],
      registeredAt: new Date().toISOString(),
    })
    return who
  }

  const search = (query: string, bearer = support) =>
    call('GET', `/orders?all=true&${query}`, bearer)

  it('numbers orders in sequence and gives each its customer’s e-mail', async () => {
    const email = `ada-${randomUUID()}@example.com`
    const who = await registered(email)
    const first = (await placed(who)) as { id: string; number?: number; customerEmail?: string }
    const later = customer()
    const second = (await placed(later)) as { id: string; number?: number }
    expect(first.number).toBeGreaterThanOrEqual(1001)
    expect(second.number).toBeGreaterThan(first.number!)
    expect(first.customerEmail).toBe(email)
    // An account the users service had not announced yet: its e-mail arrives with the event.
    expect((await call('GET', `/orders/${second.id}`, later.bearer)).body.customerEmail).toBe(
      undefined,
    )
    await publish('user.registered', {
      userId: later.userId,
      email: 'Later@Example.com',
      name: 'Later',
      roles: ['customer'],
      registeredAt: new Date().toISOString(),
    })
    const reply = await call('GET', `/orders/${second.id}`, later.bearer)
    expect(reply.body).toMatchObject({ number: second.number, customerEmail: 'later@example.com' })
  })

  it('searches every order by number, e-mail, status, dates, total and customer', async () => {
    const email = `search-${randomUUID()}@example.com`
    const who = await registered(email)
    const one = (await placed(who)) as any
    // One cart, one order: the second order is of another cart (and another total).
    h.carts.set(who.userId, [{ productId: 'mug', quantity: 1 }])
    const two = (await placed(who)) as any
    const other = (await placed(customer())) as any

    const forbidden = await call('GET', `/orders?all=true&number=${one.number}`, who.bearer)
    expect(forbidden.status).toBe(403)
    expect(forbidden.body.code).toBe('AUTH.FORBIDDEN')

    const byNumber = await search(`number=${one.number}`)
    expect(byNumber.status, byNumber.text).toBe(200)
    expect(byNumber.body.items.map((o: any) => o.id)).toEqual([one.id])

    const byEmail = await search(`email=${encodeURIComponent(email.slice(0, 20).toUpperCase())}`)
    expect(byEmail.body.items.map((o: any) => o.id)).toEqual([two.id, one.id])
    const byCustomer = await search(`customerId=${who.userId}&status=pending`)
    expect(byCustomer.body.items.map((o: any) => o.id)).toEqual([two.id, one.id])
    expect((await search(`customerId=${who.userId}&status=confirmed`)).body.items).toEqual([])

    const from = encodeURIComponent(one.createdAt)
    const to = encodeURIComponent(new Date(Date.parse(two.createdAt) + 1).toISOString())
    const byDates = await search(`email=${encodeURIComponent(email)}&from=${from}&to=${to}`)
    expect(byDates.body.items.map((o: any) => o.id)).toEqual([two.id, one.id])
    const beforeOne = await search(`email=${encodeURIComponent(email)}&to=${from}`)
    expect(beforeOne.body.items).toEqual([])

    const total = one.total.amount as number
    const inRange = await search(`customerId=${who.userId}&minTotal=${total}&maxTotal=${total}`)
    expect(inRange.body.items.map((o: any) => o.id)).toEqual([one.id])
    const above = await search(`customerId=${who.userId}&minTotal=${total + 1}`)
    expect(above.body.items).toEqual([])
    const below = await search(`customerId=${who.userId}&maxTotal=${total - 1}`)
    expect(below.body.items.map((o: any) => o.id)).toEqual([two.id])
    expect(
      (await search(`number=${other.number}&email=${encodeURIComponent(email)}`)).body.items,
    ).toEqual([])

    // Pages of the same filters, newest first; a cursor is bound to its filters.
    const page1 = await search(`customerId=${who.userId}&limit=1`)
    expect(page1.body.items.map((o: any) => o.id)).toEqual([two.id])
    const cursor = encodeURIComponent(page1.body.nextCursor)
    const page2 = await search(`customerId=${who.userId}&limit=1&cursor=${cursor}`)
    expect(page2.body.items.map((o: any) => o.id)).toEqual([one.id])
    const elsewhere = await search(`customerId=${other.id}&limit=1&cursor=${cursor}`)
    expect(elsewhere.status).toBe(400)
    expect(elsewhere.body.code).toBe('ORDERS.INVALID_CURSOR')
  })

  it('refuses bad search values with a 400 problem', async () => {
    for (const query of [
      'status=lost',
      'number=abc',
      'minTotal=ten',
      'maxTotal=-1',
      'from=yesterday',
      'from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z',
      'minTotal=500&maxTotal=100',
      'colour=red',
    ]) {
      const reply = await search(query)
      expect(reply.status, query).toBe(400)
      expect(reply.headers.get('content-type')).toMatch(/problem\+json/)
    }
    const mine = customer()
    const reply = await call('GET', `/orders?customerId=${mine.userId}`, mine.bearer)
    expect(reply.status).toBe(400)
    expect(reply.body.code).toBe('ORDERS.INVALID_QUERY')
  })

  it('keeps internal notes for staff only, audited', async () => {
    const who = customer()
    const order = await placed(who)
    const path = `/orders/${order.id}/notes`
    expect((await call('POST', path, who.bearer, { body: { text: 'mine' } })).status).toBe(403)
    expect((await call('POST', path, fulfilment, { body: { text: 'x' } })).status).toBe(403)
    expect((await call('GET', path, who.bearer)).status).toBe(403)
    expect((await call('POST', path, support, { body: { text: '' } })).status).toBe(400)
    expect((await call('POST', path, support, { body: { text: 'x', pin: 1 } })).status).toBe(400)
    const missing = `/orders/${randomUUID()}/notes`
    expect((await call('POST', missing, support, { body: { text: 'x' } })).status).toBe(404)

    const added = await call('POST', path, support, {
      body: { text: 'Called the customer:\nthey want it gift-wrapped.' },
    })
    expect(added.status, added.text).toBe(201)
    expect(added.body).toMatchObject({
      id: expect.any(String),
      text: 'Called the customer:\nthey want it gift-wrapped.',
      author: { userId: expect.any(String) },
      createdAt: expect.any(String),
    })
    const listed = await call('GET', path, fulfilment)
    expect(listed.status).toBe(200)
    expect(listed.body.items).toMatchObject([{ id: added.body.id }])
    const [event] = (await outbox('audit.recorded')).filter(
      (e: any) => e.data.entity.id === order.id && e.data.action === 'order.note-added',
    )
    expect(event.data).toMatchObject({
      actor: { roles: ['customer', 'support'] },
      entity: { type: 'order', id: order.id },
      after: { noteId: added.body.id },
    })
    const shopper = await call('GET', `/orders/${order.id}`, who.bearer)
    expect(shopper.text).not.toContain('gift-wrapped')
  })

  it('lets staff cancel with a reason and a note, audited; the shopper’s cancel is unchanged', async () => {
    const who = customer()
    const order = await placed(who)
    const cancel = (bearer: string, body?: unknown) =>
      call('POST', `/orders/${order.id}/cancel`, bearer, body === undefined ? {} : { body })
    expect((await cancel(support, { reason: 'bored' })).status).toBe(400)
    expect((await cancel(who.bearer, { reason: 'other' })).status).toBe(403)
    expect((await cancel(who.bearer, { whatever: 1 })).status).toBe(400)
    expect((await h.statusOf(order.id)).status).toBe('pending')

    const reply = await cancel(support, { reason: 'fraud_suspected', note: 'Card tester pattern' })
    expect(reply.status, reply.text).toBe(202)
    expect(reply.body).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'fraud_suspected',
      cancellationNote: 'Card tester pattern',
    })
    const seen = await call('GET', `/orders/${order.id}`, who.bearer)
    expect(seen.body.cancellationReason).toBe('fraud_suspected')
    expect(seen.body.cancellationNote).toBe(undefined)
    const [event] = (await outbox('audit.recorded')).filter(
      (e: any) => e.data.entity.id === order.id,
    )
    expect(event.data).toMatchObject({
      action: 'order.cancelled',
      before: { status: 'pending' },
      after: { status: 'cancelled', reason: 'fraud_suspected', note: 'Card tester pattern' },
    })
    expect(await outbox('order.cancelled', order.id)).toMatchObject([
      { data: { reason: 'fraud_suspected' } },
    ])

    const own = customer()
    const mine = await placed(own)
    const ownReply = await call('POST', `/orders/${mine.id}/cancel`, own.bearer)
    expect(ownReply.status).toBe(202)
    expect(ownReply.body.cancellationReason).toBe('customer_cancelled')
    expect(
      (await outbox('audit.recorded')).filter((e: any) => e.data.entity.id === mine.id),
    ).toEqual([])
  })
})
