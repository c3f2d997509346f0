import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ordersHarness } from './harness.js'

/**
 * Refunds and returns (issue 19) over HTTP against each database: partial refunds by amount and
 * by lines, never past what was captured (concurrent ones included), payments' answers, and a
 * return's life (requested, received with restock and refunded; rejected; expired).
 */
describe.each(['pglite', 'postgres'] as const)('refunds and returns on %s', (kind) => {
  const h = ordersHarness(kind)
  const { call, outbox, publish, tokens, confirmed, admin, payment } = h
  const support = tokens.bearer(randomUUID(), ['customer', 'support'])
  const fulfilment = tokens.bearer(randomUUID(), ['customer', 'fulfilment'])

  const refund = (orderId: string, body: unknown, key = randomUUID(), bearer = support) =>
    call('POST', `/orders/${orderId}/refunds`, bearer, { body, key })

  async function shipped() {
    const result = await confirmed()
    const reply = await call('POST', `/orders/${result.order.id}/ship`, admin)
    expect(reply.status, reply.text).toBe(200)
    return result
  }

  /** payments' answer to a partial refund, as it would publish it. */
  const refunded = (orderId: string, userId: string, refundId: string, amount: number) =>
    publish('payment.refunded', payment(orderId, userId, amount, { refundId }))

  it('refunds part of a confirmed order by amount, once per key, and records payments’ answer', async () => {
    const { order, userId, bearer } = await confirmed()
    const total = order.total.amount
    const key = randomUUID()
    const first = await refund(
      order.id,
      { amount: { amount: 500, currency: 'USD' }, reason: 'scratched' },
      key,
    )
    expect(first.status, first.text).toBe(202)
    expect(first.body).toMatchObject({
      orderId: order.id,
      amount: { amount: 500, currency: 'USD' },
      status: 'requested',
      reason: 'scratched',
    })
    const again = await refund(
      order.id,
      { amount: { amount: 500, currency: 'USD' }, reason: 'scratched' },
      key,
    )
    expect(again.status).toBe(202)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body.id).toBe(first.body.id)
    const requested = await outbox('order.refund-requested', order.id)
    expect(requested).toHaveLength(1)
    expect(requested[0].data).toMatchObject({ refundId: first.body.id, amount: { amount: 500 } })
    const audits = (await outbox('audit.recorded')).filter((e) => e.data.entity.id === order.id)
    expect(audits).toHaveLength(1)
    expect(audits[0].data).toMatchObject({ action: 'refund.created', after: { id: first.body.id } })

    // Past what is left: 409; the shopper and staff without refunds.write: 403.
    const over = await refund(order.id, { amount: { amount: total - 499, currency: 'USD' } })
    expect(over.status).toBe(409)
    expect(over.body.code).toBe('ORDERS.REFUND_EXCEEDS_CAPTURED')
    expect(
      (await refund(order.id, { amount: { amount: 1, currency: 'USD' } }, randomUUID(), bearer))
        .status,
    ).toBe(403)
    expect(
      (await refund(order.id, { amount: { amount: 1, currency: 'USD' } }, randomUUID(), fulfilment))
        .status,
    ).toBe(403)
    expect((await refund(order.id, { amount: { amount: 1, currency: 'EUR' } })).body.code).toBe(
      'ORDERS.REFUND_CURRENCY',
    )
    expect((await refund(order.id, {})).status).toBe(400)
    expect(
      (
        await call('POST', `/orders/${order.id}/refunds`, support, {
          body: { amount: { amount: 1, currency: 'USD' } },
        })
      ).status,
    ).toBe(400)

    await refunded(order.id, userId, first.body.id, 500)
    const view = (await call('GET', `/orders/${order.id}`, bearer)).body
    expect(view.refundedAmount).toEqual({ amount: 500, currency: 'USD' })
    expect(view.refunds).toMatchObject([{ id: first.body.id, status: 'refunded' }])
    // A partial refund leaves the payment captured.
    expect(view.payment.status).toBe('captured')
    // The rest, exactly, may still be refunded.
    expect(
      (await refund(order.id, { amount: { amount: total - 500, currency: 'USD' } })).status,
    ).toBe(202)
  })

  it('refunds lines by their paid share, and two concurrent refunds never exceed the capture', async () => {
    const { order } = await confirmed()
    const view = (await call('GET', `/orders/${order.id}`, admin)).body
    const item = view.items[0]
    const paid =
      item.lineTotal.amount -
      (item.discount?.amount ?? 0) +
      (view.taxInclusive ? 0 : (item.tax?.amount ?? 0))
    const one = await refund(order.id, { lines: [{ productId: item.productId, quantity: 1 }] })
    expect(one.status, one.text).toBe(202)
    expect(one.body.lines).toMatchObject([
      {
        productId: item.productId,
        quantity: 1,
        amount: { amount: Math.round(paid / item.quantity) },
      },
    ])
    const tooMany = await refund(order.id, {
      lines: [{ productId: item.productId, quantity: item.quantity }],
    })
    expect(tooMany.body.code).toBe('ORDERS.REFUND_EXCEEDS_QUANTITY')

    const left = order.total.amount - one.body.amount.amount
    const half = Math.floor(left / 2) + 1
    const replies = await Promise.all([
      refund(order.id, { amount: { amount: half, currency: 'USD' } }),
      refund(order.id, { amount: { amount: half, currency: 'USD' } }),
    ])
    expect(replies.map((r) => r.status).sort()).toEqual([202, 409])
  })

  it('refunds only confirmed or shipped orders; a failed refund frees its amount', async () => {
    const { order, userId } = await confirmed()
    const cancelled = await call('POST', `/orders/${order.id}/cancel`, admin)
    expect(cancelled.status).toBe(202)
    expect((await refund(order.id, { amount: { amount: 1, currency: 'USD' } })).body.code).toBe(
      'ORDERS.NOT_REFUNDABLE',
    )

    const other = await confirmed()
    const all = await refund(other.order.id, { amount: other.order.total })
    expect(all.status).toBe(202)
    await publish('payment.refund-failed', {
      refundId: all.body.id,
      orderId: other.order.id,
      reason: 'payment_not_refundable',
      at: new Date().toISOString(),
    })
    const view = (await call('GET', `/orders/${other.order.id}`, admin)).body
    expect(view.refunds).toMatchObject([
      { status: 'failed', failureReason: 'payment_not_refundable' },
    ])
    expect((await refund(other.order.id, { amount: other.order.total })).status).toBe(202)
    expect(userId).toBeTruthy()
  })

  it('takes a return from request to refund: received, restocked, refunded', async () => {
    const { order, userId, bearer } = await shipped()
    const item = (await call('GET', `/orders/${order.id}`, bearer)).body.items[0]
    expect(
      (
        await call('POST', `/orders/${order.id}/returns`, bearer, {
          body: {
            lines: [{ productId: item.productId, quantity: item.quantity + 1 }],
            reason: 'too big',
          },
        })
      ).body.code,
    ).toBe('ORDERS.RETURN_EXCEEDS_SHIPPED')
    const created = await call('POST', `/orders/${order.id}/returns`, bearer, {
      body: { lines: [{ productId: item.productId, quantity: 2 }], reason: 'too big' },
    })
    expect(created.status, created.text).toBe(201)
    expect(created.body).toMatchObject({
      status: 'requested',
      lines: [{ productId: item.productId, quantity: 2 }],
    })
    const returnId = created.body.id
    expect((await outbox('return.requested', order.id))[0].data).toMatchObject({
      returnId,
      reason: 'too big',
    })
    // Someone else's order: 404; the shopper cannot receive: 403.
    expect((await call('GET', `/orders/${order.id}/returns`, h.customer().bearer)).status).toBe(404)
    expect(
      (
        await call('POST', `/orders/${order.id}/returns/${returnId}/receive`, bearer, {
          body: { lines: [{ productId: item.productId, quantity: 1, restock: true }] },
        })
      ).status,
    ).toBe(403)

    const received = await call(
      'POST',
      `/orders/${order.id}/returns/${returnId}/receive`,
      support,
      {
        body: { lines: [{ productId: item.productId, quantity: 1, restock: true }] },
      },
    )
    expect(received.status, received.text).toBe(200)
    expect(received.body).toMatchObject({
      status: 'received',
      lines: [{ productId: item.productId, quantity: 2, receivedQuantity: 1, restock: true }],
    })
    const refundId = received.body.refundId
    expect(refundId).toBeTruthy()
    const [event] = await outbox('return.received', order.id)
    expect(event.data).toMatchObject({
      returnId,
      refundId,
      lines: [{ productId: item.productId, quantity: 1, restock: true }],
    })
    const [asked] = (await outbox('order.refund-requested', order.id)).filter(
      (e) => e.data.refundId === refundId,
    )
    expect(asked.data).toMatchObject({ returnId, lines: [{ quantity: 1 }] })
    // Received once: a second receive is a 409.
    expect(
      (
        await call('POST', `/orders/${order.id}/returns/${returnId}/receive`, support, {
          body: { lines: [{ productId: item.productId, quantity: 1, restock: true }] },
        })
      ).body.code,
    ).toBe('ORDERS.RETURN_NOT_OPEN')

    await refunded(order.id, userId, refundId, asked.data.amount.amount)
    const list = await call('GET', `/orders/${order.id}/returns`, bearer)
    expect(list.body.items).toMatchObject([{ id: returnId, status: 'refunded', refundId }])
    expect((await outbox('return.refunded', order.id))[0].data).toMatchObject({
      returnId,
      refundId,
    })
    expect((await call('GET', `/orders/${order.id}`, bearer)).body.refundedAmount.amount).toBe(
      asked.data.amount.amount,
    )
  })

  it('retries a return’s failed refund as a new refund, which then pays the return', async () => {
    const { order, userId, bearer } = await shipped()
    const item = (await call('GET', `/orders/${order.id}`, bearer)).body.items[0]
    const returnId = (
      await call('POST', `/orders/${order.id}/returns`, bearer, {
        body: { lines: [{ productId: item.productId, quantity: 1 }], reason: 'too big' },
      })
    ).body.id
    const received = await call(
      'POST',
      `/orders/${order.id}/returns/${returnId}/receive`,
      support,
      { body: { lines: [{ productId: item.productId, quantity: 1, restock: true }] } },
    )
    expect(received.status, received.text).toBe(200)
    const failedId = received.body.refundId
    const retry = (refundId: string, key = randomUUID(), bearer = support) =>
      call('POST', `/orders/${order.id}/refunds/${refundId}/retry`, bearer, { key })

    // Still requested: nothing to retry.
    const early = await retry(failedId)
    expect(early.status).toBe(409)
    expect(early.body.code).toBe('ORDERS.REFUND_NOT_FAILED')
    await publish('payment.refund-failed', {
      refundId: failedId,
      orderId: order.id,
      reason: 'payment_not_refundable',
      at: new Date().toISOString(),
    })
    expect((await call('GET', `/orders/${order.id}/returns`, bearer)).body.items).toMatchObject([
      { id: returnId, status: 'received', refundId: failedId },
    ])

    // The shopper and staff without refunds.write: 403; no key: 400; another order's: 404.
    expect((await retry(failedId, randomUUID(), bearer)).status).toBe(403)
    expect((await retry(failedId, randomUUID(), fulfilment)).status).toBe(403)
    expect(
      (await call('POST', `/orders/${order.id}/refunds/${failedId}/retry`, support)).status,
    ).toBe(400)
    const other = await confirmed()
    const elsewhere = await call(
      'POST',
      `/orders/${other.order.id}/refunds/${failedId}/retry`,
      support,
      {
        key: randomUUID(),
      },
    )
    expect(elsewhere.status).toBe(404)
    expect(elsewhere.body.code).toBe('ORDERS.REFUND_NOT_FOUND')
    expect(elsewhere.headers.get('content-type')).toContain('application/problem+json')
    expect((await outbox('order.refund-requested', order.id)).map((e) => e.data.refundId)).toEqual([
      failedId,
    ])

    const key = randomUUID()
    const retried = await retry(failedId, key)
    expect(retried.status, retried.text).toBe(202)
    const newId = retried.body.id
    expect(newId).not.toBe(failedId)
    expect(retried.body).toMatchObject({
      status: 'requested',
      returnId,
      retryOf: failedId,
      reason: 'too big',
      lines: [{ productId: item.productId, quantity: 1 }],
    })
    const again = await retry(failedId, key)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body.id).toBe(newId)
    const asked = await outbox('order.refund-requested', order.id)
    expect(asked.map((e) => e.data.refundId)).toEqual([failedId, newId])
    expect(asked[1].data).toMatchObject({ returnId, amount: asked[0].data.amount })
    const audits = (await outbox('audit.recorded')).filter(
      (e) => e.data.entity.id === order.id && e.data.action === 'refund.retried',
    )
    expect(audits).toHaveLength(1)
    expect(audits[0].data).toMatchObject({
      before: { id: failedId, status: 'failed' },
      after: { id: newId, retryOf: failedId },
    })
    // Retried once; the new refund is not failed.
    expect((await retry(failedId)).body.code).toBe('ORDERS.REFUND_ALREADY_RETRIED')
    expect((await retry(newId)).body.code).toBe('ORDERS.REFUND_NOT_FAILED')

    await refunded(order.id, userId, newId, asked[1].data.amount.amount)
    expect((await call('GET', `/orders/${order.id}/returns`, bearer)).body.items).toMatchObject([
      { id: returnId, status: 'refunded', refundId: newId },
    ])
    expect((await outbox('return.refunded', order.id))[0].data).toMatchObject({
      returnId,
      refundId: newId,
    })
    const view = (await call('GET', `/orders/${order.id}`, bearer)).body
    expect(view.refundedAmount.amount).toBe(asked[1].data.amount.amount)
    expect(view.refunds).toMatchObject([
      { id: failedId, status: 'failed' },
      { id: newId, status: 'refunded', retryOf: failedId },
    ])
  })

  it('rejects a return, and expires one not received by its deadline', async () => {
    const { order, bearer } = await shipped()
    const item = (await call('GET', `/orders/${order.id}`, bearer)).body.items[0]
    const ask = () =>
      call('POST', `/orders/${order.id}/returns`, bearer, {
        body: { lines: [{ productId: item.productId, quantity: 1 }], reason: 'changed my mind' },
      })
    const first = (await ask()).body
    const rejected = await call('POST', `/orders/${order.id}/returns/${first.id}/reject`, support, {
      body: { reason: 'worn' },
    })
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'worn' })
    expect(await outbox('return.rejected', order.id)).toHaveLength(1)

    const second = (await ask()).body
    h.setClockShift(31 * 86_400_000)
    try {
      await h.sweep()
    } finally {
      h.setClockShift(0)
    }
    const list = (await call('GET', `/orders/${order.id}/returns`, support)).body.items
    expect(list.find((r: any) => r.id === second.id)).toMatchObject({ status: 'expired' })
    expect(await outbox('return.expired', order.id)).toHaveLength(1)
  })
})
