import { randomUUID } from 'node:crypto'
import { beforeAll, expect, it } from 'vitest'
import { cards, type ShopClient } from './shop-client.js'

/**
 * The checkout flows of API.md end to end through the gateway, shared by the embedded and the
 * distributed runs. `platform()` gives the running platform once `beforeAll` has started it.
 */
export interface CheckoutPlatform {
  client: ShopClient
  adminToken: string
  /** What the slow card (answers after 5 s) ends as with this platform's payment deadline. */
  slowCardEnds: 'confirmed' | 'cancelled'
}

export function checkoutSuite(platform: () => CheckoutPlatform) {
  const buy = async (card: string, quantity = 2, price = 1250, onHand = 10) => {
    const { client, adminToken } = platform()
    const product = await client.createProduct(adminToken, price, onHand)
    const shopper = await client.register()
    await client.addToCart(shopper.token, product.id, quantity)
    const placed = await client.placeOrder(shopper.token, card)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    expect(placed.body.status).toBe('pending')
    expect(placed.body.total).toEqual({ amount: price * quantity, currency: 'USD' })
    expect(JSON.stringify(placed.body)).not.toContain(card)
    return { client, adminToken, product, shopper, order: placed.body }
  }

  const paymentFailed = (o: { status: string }) => o.status === 'payment_failed'
  let deadlineCase:
    | Promise<
        Awaited<ReturnType<typeof buy>> & {
          failed: Awaited<ReturnType<ShopClient['waitForOrder']>>
        }
      >
    | undefined
  beforeAll(async () => {
    // Placed first, checked by the last case (below); the held stock is checked here, while
    // the order still waits for another card.
    deadlineCase = (async () => {
      const bought = await buy(cards.declined)
      const { client, adminToken, product, shopper, order } = bought
      const failed = await client.waitForOrder(shopper.token, order.id, paymentFailed)
      expect(await client.stock(adminToken, product.id)).toMatchObject({ reserved: 2 })
      return { ...bought, failed }
    })()
    // Its failure is the deadline case's, not the suite's start.
    deadlineCase.catch(() => undefined)
  })

  it('approved card: confirmed, live on the status stream, cart emptied, stock committed', async () => {
    const { client, adminToken, product, shopper, order } = await buy(cards.approved, 3)
    const stream = await client.statusStream(shopper.token, order.id)
    expect(stream.contentType).toContain('text/event-stream')
    const statuses = stream.events.map((e) => e.status)
    expect(statuses.at(-1)).toBe('confirmed')
    // One event per change, in order, from whatever status the order had when it opened.
    const path = ['pending', 'awaiting_payment', 'confirmed']
    expect(path.slice(path.indexOf(statuses[0]!))).toEqual(statuses)

    const confirmed = await client.waitForOrder(shopper.token, order.id)
    expect(confirmed.status).toBe('confirmed')
    expect(confirmed.payment).toEqual({ status: 'captured', last4: '4242' })
    const payments = await client.payments(shopper.token, order.id)
    expect(payments.map((p) => [p.status, p.amount.amount, p.last4])).toEqual([
      ['captured', 3750, '4242'],
    ])
    await expect
      .poll(async () => (await client.call('/cart', { token: shopper.token })).body.itemCount, {
        timeout: 20_000,
      })
      .toBe(0)
    await expect
      .poll(() => client.stock(adminToken, product.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 7, reserved: 0, available: 7 })
  })

  it('declined cards: payment_failed with a generic reason (the precise one for admins), stock held, nothing captured; the shopper’s cancel releases it', async () => {
    for (const [card, reason] of [
      [cards.declined, 'card_declined'],
      [cards.insufficientFunds, 'insufficient_funds'],
    ] as const) {
      const { client, adminToken, product, shopper, order } = await buy(card)
      const failed = await client.waitForOrder(shopper.token, order.id, paymentFailed)
      expect(failed).toMatchObject({
        status: 'payment_failed',
        cancellationReason: null,
        lastPaymentError: 'payment_declined',
        paymentAttempt: 1,
      })
      expect(Date.parse(failed.paymentDueBy!)).toBeGreaterThan(Date.now())
      expect(failed).not.toHaveProperty('declineReason')
      expect(failed.payment?.status).toBe('declined')
      const byAdmin = await client.call(`/orders/${order.id}`, { token: adminToken })
      expect(byAdmin.body).toMatchObject({ declineReason: reason })
      const adminPayments = await client.payments(adminToken, order.id)
      expect(adminPayments).toMatchObject([{ status: 'declined', declineReason: reason }])
      const payments = await client.payments(shopper.token, order.id)
      expect(payments.every((p) => p.status === 'declined' && !('declineReason' in p))).toBe(true)
      // The stock stays held for another card, and the cart is kept.
      expect(await client.stock(adminToken, product.id)).toMatchObject({
        onHand: 10,
        reserved: 2,
        available: 8,
      })
      expect((await client.call('/cart', { token: shopper.token })).body.itemCount).toBe(2)
      // The status stream shows payment_failed and does not end there.
      const open = await client.statusStream(
        shopper.token,
        order.id,
        60_000,
        (status) => status === 'payment_failed',
      )
      const seen = open.events.map((e) => e.status)
      const path = ['awaiting_payment', 'payment_failed']
      expect(path.slice(path.indexOf(seen[0]!))).toEqual(seen)

      const cancelled = await client.call(`/orders/${order.id}/cancel`, {
        token: shopper.token,
        method: 'POST',
      })
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202)
      expect(cancelled.body).toMatchObject({
        status: 'cancelled',
        cancellationReason: 'customer_cancelled',
      })
      await expect
        .poll(() => client.stock(adminToken, product.id), { timeout: 20_000 })
        .toMatchObject({ onHand: 10, reserved: 0, available: 10 })
      const retried = await client.retryPayment(shopper.token, order.id, cards.approved)
      expect(retried.status).toBe(409)
      expect(retried.body).toMatchObject({ code: 'ORDERS.PAYMENT_NOT_RETRYABLE' })
    }
  })

  it('a retry with another card after a decline: the same order confirmed, captured once, the key replayed', async () => {
    const { client, adminToken, product, shopper, order } = await buy(cards.insufficientFunds)
    await client.waitForOrder(shopper.token, order.id, paymentFailed)
    // Someone else cannot pay (or see) it; an order whose payment has not failed cannot be retried.
    const stranger = await client.register()
    const notTheirs = await client.retryPayment(stranger.token, order.id, cards.approved)
    expect(notTheirs.status).toBe(404)

    const key = randomUUID()
    const first = await client.retryPayment(shopper.token, order.id, cards.approved, key)
    expect(first.status, JSON.stringify(first.body)).toBe(202)
    expect(first.body).toMatchObject({
      id: order.id,
      status: 'awaiting_payment',
      paymentAttempt: 2,
    })
    const again = await client.retryPayment(shopper.token, order.id, cards.approved, key)
    expect(again.status).toBe(202)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(first.body)

    const stream = await client.statusStream(shopper.token, order.id)
    const statuses = stream.events.map((e) => e.status)
    // The stream is the notifications service's projection of the order's events: it may not
    // have heard of the retry yet when it opens, so it can start at payment_failed.
    const path = ['payment_failed', 'awaiting_payment', 'confirmed']
    expect(path.slice(path.indexOf(statuses[0]!))).toEqual(statuses)
    const confirmed = await client.waitForOrder(shopper.token, order.id)
    expect(confirmed).toMatchObject({
      status: 'confirmed',
      payment: { status: 'captured', last4: '4242' },
      paymentAttempt: 2,
    })
    expect(confirmed).not.toHaveProperty('lastPaymentError')
    // Two attempts, one charge: the declined one and the captured one.
    const payments = await client.payments(shopper.token, order.id)
    expect(payments.map((p) => p.status).sort()).toEqual(['captured', 'declined'])
    const reconciliation = await client.call('/payments/reconciliation', { token: adminToken })
    expect(reconciliation.body.doubleCaptures).not.toContain(order.id)
    await expect
      .poll(() => client.stock(adminToken, product.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 8, reserved: 0, available: 8 })
    // Paid: not retryable any more.
    const paid = await client.retryPayment(shopper.token, order.id, cards.approved)
    expect(paid.status).toBe(409)
    expect(paid.body).toMatchObject({ code: 'ORDERS.PAYMENT_NOT_RETRYABLE' })
  })

  it('transient provider errors are retried: confirmed, captured once', async () => {
    const { client, shopper, order } = await buy(cards.transient)
    const ended = await client.waitForOrder(shopper.token, order.id)
    expect(ended.status).toBe('confirmed')
    const payments = await client.payments(shopper.token, order.id)
    expect(payments.map((p) => p.status)).toEqual(['captured'])
  })

  it('slow provider: the order ends by its deadline, and money follows the outcome', async () => {
    const { client, adminToken, product, shopper, order } = await buy(cards.slow)
    const ended = await client.waitForOrder(shopper.token, order.id)
    expect(ended.status).toBe(platform().slowCardEnds)
    if (ended.status === 'confirmed') {
      expect(ended.payment?.status).toBe('captured')
    } else {
      // Cancelled by the payment deadline while the provider was still answering: the money
      // is never kept (the authorization is voided, or a capture that landed is refunded).
      await expect
        .poll(
          async () => {
            const payments = await client.payments(shopper.token, order.id)
            return (
              payments.length === 1 &&
              ['declined', 'refunded'].includes(payments[0]!.status) &&
              payments[0]!.declineReason !== 'card_declined'
            )
          },
          { timeout: 30_000 },
        )
        .toBe(true)
      await expect
        .poll(() => client.stock(adminToken, product.id), { timeout: 20_000 })
        .toMatchObject({ onHand: 10, reserved: 0 })
    }
  })

  it('a line taken out and added again before the confirmation stays in the cart; the ordered ones go', async (context) => {
    // The slow card holds the order for 5 s before it is paid: time for the shopper's edits.
    // Where the payment deadline is shorter than that, the order is cancelled, nothing settles:
    // the case is reported skipped there, not passed.
    if (platform().slowCardEnds !== 'confirmed') context.skip()
    const { client, adminToken } = platform()
    const kept = await client.createProduct(adminToken, 900, 10)
    const control = await client.createProduct(adminToken, 400, 10)
    const shopper = await client.register()
    await client.addToCart(shopper.token, kept.id, 2)
    await client.addToCart(shopper.token, control.id, 1)
    const placed = await client.placeOrder(shopper.token, cards.slow)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const removed = await client.call(`/cart/items/${kept.id}`, {
      method: 'DELETE',
      token: shopper.token,
    })
    expect(removed.status).toBe(200)
    await client.addToCart(shopper.token, kept.id, 1) // wanted again, for a next order
    expect((await client.waitForOrder(shopper.token, placed.body.id)).status).toBe('confirmed')
    // The control line goes once the cart settled the order; the line added again stays whole.
    const lines = async () =>
      (await client.call('/cart', { token: shopper.token })).body.items.map(
        (i: { productId: string; quantity: number }) => [i.productId, i.quantity],
      )
    await expect.poll(lines, { timeout: 20_000 }).toEqual([[kept.id, 1]])
  })

  it('customer cancel after confirmation: refunded and stock restored; ship needs admin and a confirmed order', async () => {
    const { client, adminToken, product, shopper, order } = await buy(cards.approved, 4)
    await client.waitForOrder(shopper.token, order.id)
    await expect
      .poll(() => client.stock(adminToken, product.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 6 })
    const cancelled = await client.call(`/orders/${order.id}/cancel`, {
      token: shopper.token,
      method: 'POST',
    })
    expect(cancelled.status).toBe(202)
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'customer_cancelled',
    })
    await expect
      .poll(async () => (await client.order(shopper.token, order.id)).payment?.status, {
        timeout: 20_000,
      })
      .toBe('refunded')
    await expect
      .poll(() => client.stock(adminToken, product.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 10, reserved: 0, available: 10 })
    const again = await client.call(`/orders/${order.id}/cancel`, {
      token: shopper.token,
      method: 'POST',
    })
    expect(again.status).toBe(409)
    expect(again.headers.get('content-type')).toContain('application/problem+json')
    // A cancelled order cannot be shipped.
    const ship = await client.call(`/orders/${order.id}/ship`, {
      token: adminToken,
      method: 'POST',
    })
    expect(ship.status).toBe(409)

    const second = await buy(cards.approved, 1)
    await client.waitForOrder(second.shopper.token, second.order.id)
    const byCustomer = await client.call(`/orders/${second.order.id}/ship`, {
      token: second.shopper.token,
      method: 'POST',
    })
    expect(byCustomer.status).toBe(403)
    const shipped = await client.call(`/orders/${second.order.id}/ship`, {
      token: adminToken,
      method: 'POST',
    })
    expect(shipped.status).toBe(200)
    expect(shipped.body.status).toBe('shipped')
    const late = await client.call(`/orders/${second.order.id}/cancel`, {
      token: second.shopper.token,
      method: 'POST',
    })
    expect(late.status).toBe(409)
  })

  it('an Idempotency-Key sent 10 times at once places one order; misuse is refused', async () => {
    const { client, adminToken } = platform()
    const product = await client.createProduct(adminToken, 500, 10)
    const shopper = await client.register()
    const missing = await client.call('/orders', {
      token: shopper.token,
      body: { shippingAddress: {}, payment: {} },
    })
    expect(missing.status).toBe(400)
    const empty = await client.placeOrder(shopper.token, cards.approved)
    expect(empty.status).toBe(400)
    await client.addToCart(shopper.token, product.id, 1)

    const key = randomUUID()
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => client.placeOrder(shopper.token, cards.approved, key)),
    )
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(202))
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1)
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1)
    const mine = await client.call('/orders', { token: shopper.token })
    expect(mine.body.items).toHaveLength(1)
    const reused = await client.placeOrder(shopper.token, cards.declined, key)
    expect(reused.status).toBe(422)

    // Someone else's order and payments cannot even be seen.
    const stranger = await client.register()
    expect(
      (await client.call(`/orders/${replies[0]!.body.id}`, { token: stranger.token })).status,
    ).toBe(404)
    expect(await client.payments(stranger.token, replies[0]!.body.id)).toEqual([])
  })

  it('oversell: 100 buyers at once for 20 units → exactly 20 confirmed, 80 cancelled', async () => {
    const { client, adminToken } = platform()
    const price = 999
    const product = await client.createProduct(adminToken, price, 20)
    const buyers: Array<{ token: string }> = []
    for (let i = 0; i < 100; i += 10) {
      buyers.push(...(await Promise.all(Array.from({ length: 10 }, () => client.register()))))
    }
    await Promise.all(buyers.map((b) => client.addToCart(b.token, product.id, 1)))
    // As a client should: a placement shed (429/503) or still in progress under its key is sent
    // again after retry-after with the same Idempotency-Key, and ends 202 once.
    const placed = await Promise.all(
      buyers.map(async (b) => {
        const key = randomUUID()
        for (let attempt = 0; ; attempt++) {
          const reply = await client.placeOrder(b.token, cards.approved, key)
          const retryAfter = Number(reply.headers.get('retry-after') ?? Number.NaN)
          const again =
            reply.status === 429 ||
            reply.status === 503 ||
            (reply.status === 409 &&
              (reply.body as { code?: string }).code === 'ORDERS.IDEMPOTENCY_KEY_IN_PROGRESS')
          if (!again || !Number.isFinite(retryAfter) || attempt >= 60) return reply
          await new Promise((r) => setTimeout(r, retryAfter * 1000 + Math.random() * 500))
        }
      }),
    )
    expect(placed.map((p) => p.status)).toEqual(Array(100).fill(202))
    const ended = await Promise.all(
      placed.map((p, i) => client.waitForOrder(buyers[i]!.token, p.body.id, undefined, 120_000)),
    )
    const confirmed = ended.filter((o) => o.status === 'confirmed')
    expect(confirmed).toHaveLength(20)
    // The rest are cancelled: out of stock, or — on a machine slow enough that an order passes
    // a deadline (the suite's payment deadline is 3 s) — by that deadline, any stock it held
    // released and sold to a later order (so still exactly 20 confirmed, nothing captured for it
    // below, and the stock ends at zero).
    const cancelled = ended.filter((o) => o.status === 'cancelled')
    expect(cancelled).toHaveLength(80)
    const expected = new Set(['out_of_stock', 'payment_timeout', 'stock_timeout'])
    expect(cancelled.map((o) => o.cancellationReason).filter((r) => !expected.has(r!))).toEqual([])
    expect(cancelled.some((o) => o.cancellationReason === 'out_of_stock')).toBe(true)
    await expect
      .poll(() => client.stock(adminToken, product.id), { timeout: 30_000 })
      .toMatchObject({ onHand: 0, reserved: 0, available: 0 })
    let captured = 0
    for (const [i, order] of ended.entries()) {
      for (const payment of await client.payments(buyers[i]!.token, order.id)) {
        if (payment.status === 'captured') captured += payment.amount.amount
      }
    }
    expect(captured).toBe(20 * price)
  }, 300_000)

  it('one cart, one order: the same cart under a new key is a 409 until its order is cancelled', async () => {
    const { client, adminToken } = platform()
    const product = await client.createProduct(adminToken, 1250, 10)
    const shopper = await client.register()
    await client.addToCart(shopper.token, product.id, 2)
    // Two placements of one cart at the same instant, under two keys: one order, one 409. (Sent
    // together, not one after the other, so a busy machine cannot let the first order end —
    // the slow card keeps it in flight until the payment deadline — before the second arrives.)
    const both = await Promise.all([
      client.placeOrder(shopper.token, cards.slow),
      client.placeOrder(shopper.token, cards.slow),
    ])
    expect(both.map((p) => p.status).sort(), JSON.stringify(both.map((p) => p.body))).toEqual([
      202, 409,
    ])
    const order = both.find((p) => p.status === 202)!.body
    expect(both.find((p) => p.status === 409)!.body).toMatchObject({
      code: 'ORDERS.CART_ALREADY_PLACED',
    })
    const cancel = await client.call(`/orders/${order.id}/cancel`, {
      method: 'POST',
      token: shopper.token,
    })
    // 202, or 409 when the payment deadline cancelled it first: either way it ends cancelled.
    expect([202, 409]).toContain(cancel.status)
    expect((await client.waitForOrder(shopper.token, order.id)).status).toBe('cancelled')
    const afterCancel = await client.placeOrder(shopper.token, cards.approved)
    expect(afterCancel.status, JSON.stringify(afterCancel.body)).toBe(202)
    const mine = await client.call('/orders', { token: shopper.token })
    expect(mine.body.items).toHaveLength(2)
  })

  // Last: it leaves the declined test card refused for the rest of the decline window.
  it('card testing: declines past the limit are refused with 429 and retry-after, for any shopper', async () => {
    const { client, adminToken } = platform()
    const product = await client.createProduct(adminToken, 500, 50)
    const shopper = await client.register()
    await client.addToCart(shopper.token, product.id, 1)
    let refused: Awaited<ReturnType<ShopClient['placeOrder']>> | undefined
    // At most 3 declines of one card (the default) or 5 of one shopper, whichever comes first.
    for (let attempt = 0; attempt < 6 && !refused; attempt++) {
      const placed = await client.placeOrder(shopper.token, cards.declined)
      if (placed.status === 429) refused = placed
      else {
        expect(placed.status, JSON.stringify(placed.body)).toBe(202)
        const failed = await client.waitForOrder(shopper.token, placed.body.id, paymentFailed)
        expect(failed).toMatchObject({ lastPaymentError: 'payment_declined' })
        // Given up: the cart is free for the next try.
        const cancel = await client.call(`/orders/${placed.body.id}/cancel`, {
          token: shopper.token,
          method: 'POST',
        })
        expect(cancel.status).toBe(202)
      }
    }
    expect(refused, 'no 429 after 6 declines').toBeDefined()
    expect(refused!.body).toMatchObject({ status: 429, code: 'ORDERS.TOO_MANY_DECLINES' })
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0)
    // The card is refused for another shopper too, who may still pay with another card.
    const other = await client.register()
    await client.addToCart(other.token, product.id, 1)
    const sameCard = await client.placeOrder(other.token, cards.declined)
    expect(sameCard.status, JSON.stringify(sameCard.body)).toBe(429)
    expect(sameCard.headers.get('retry-after')).toMatch(/^\d+$/)
    const ownCard = await client.placeOrder(other.token, cards.approved)
    expect(ownCard.status, JSON.stringify(ownCard.body)).toBe(202)
    // A retry is held to the same limits: an order declined (the other declining card, still
    // under its limit) retried with the refused card is refused before any charge.
    const third = await client.register()
    await client.addToCart(third.token, product.id, 1)
    const declined = await client.placeOrder(third.token, cards.insufficientFunds)
    expect(declined.status, JSON.stringify(declined.body)).toBe(202)
    await client.waitForOrder(third.token, declined.body.id, paymentFailed)
    const retry = await client.retryPayment(third.token, declined.body.id, cards.declined)
    expect(retry.status, JSON.stringify(retry.body)).toBe(429)
    expect(retry.body).toMatchObject({ code: 'ORDERS.TOO_MANY_DECLINES' })
    expect(retry.headers.get('retry-after')).toMatch(/^\d+$/)
    expect((await client.order(third.token, declined.body.id)).status).toBe('payment_failed')
  })

  it('refunds and returns (issue 19): a partial refund, then a return received with restock and refunded; the ledger reconciles', async () => {
    const { client, adminToken, product, shopper, order } = await buy(cards.approved, 3, 1000, 10)
    await client.waitForOrder(shopper.token, order.id)
    const reconciled = async () => {
      const r = (await client.call('/payments/reconciliation', { token: adminToken })).body
      return r.currencies.find((c: { currency: string }) => c.currency === 'USD')
    }
    const before = await reconciled()
    const refund = await client.call(`/orders/${order.id}/refunds`, {
      token: adminToken,
      body: { amount: { amount: 500, currency: 'USD' }, reason: 'late delivery' },
      headers: { 'idempotency-key': `refund-${order.id}` },
    })
    expect(refund.status, JSON.stringify(refund.body)).toBe(202)
    // The shopper may not refund.
    const refused = await client.call(`/orders/${order.id}/refunds`, {
      token: shopper.token,
      body: { amount: { amount: 1, currency: 'USD' } },
      headers: { 'idempotency-key': `refund-shopper-${order.id}` },
    })
    expect(refused.status).toBe(403)
    const isRefunded = (o: any) => o.refunds?.every((r: any) => r.status === 'refunded') === true
    const refunded: any = await client.waitForOrder(shopper.token, order.id, isRefunded)
    expect(refunded).toMatchObject({ refundedAmount: { amount: 500, currency: 'USD' } })

    const shipped = await client.call(`/orders/${order.id}/ship`, {
      token: adminToken,
      method: 'POST',
    })
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200)
    const asked = await client.call(`/orders/${order.id}/returns`, {
      token: shopper.token,
      body: { lines: [{ productId: product.id, quantity: 2 }], reason: 'too small' },
    })
    expect(asked.status, JSON.stringify(asked.body)).toBe(201)
    const received = await client.call(`/orders/${order.id}/returns/${asked.body.id}/receive`, {
      token: adminToken,
      body: { lines: [{ productId: product.id, quantity: 2, restock: true }] },
    })
    expect(received.status, JSON.stringify(received.body)).toBe(200)
    expect(received.body).toMatchObject({ status: 'received', refundId: expect.any(String) })
    await expect
      .poll(
        async () =>
          (await client.call(`/orders/${order.id}/returns`, { token: shopper.token })).body.items,
        { timeout: 20_000 },
      )
      .toMatchObject([{ id: asked.body.id, status: 'refunded' }])
    const done: any = await client.waitForOrder(shopper.token, order.id, isRefunded)
    // 2 of 3 units of 1000 each (no discount or tax here), after the 500.
    expect(done.refundedAmount).toEqual({ amount: 2500, currency: 'USD' })
    // 3 sold, 2 back on sale, once.
    await expect
      .poll(() => client.stock(adminToken, product.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 9, reserved: 0 })
    const after = await reconciled()
    expect(after.refunded - before.refunded).toBe(2500)
    expect(after.net).toBe(after.captured - after.refunded)
  })

  // The payment deadline's case: its order is placed before the other cases and checked after
  // them, so that its wait for the deadline (ORDERS_PAYMENT_DUE_SECONDS) passes while they run
  // instead of adding to the suite's time.
  it('at the payment deadline a payment_failed order is cancelled (payment_declined) and its stock released', async () => {
    const { client, adminToken, product, shopper, order, failed } = await deadlineCase!
    const ended = await client.waitForOrder(
      shopper.token,
      order.id,
      (o) => o.status === 'cancelled',
      Date.parse(failed.paymentDueBy!) - Date.now() + 60_000,
    )
    expect(ended).toMatchObject({ status: 'cancelled', cancellationReason: 'payment_declined' })
    await expect
      .poll(() => client.stock(adminToken, product.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 10, reserved: 0, available: 10 })
    const late = await client.retryPayment(shopper.token, order.id, cards.approved)
    expect(late.status).toBe(409)
  })
}
