import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { retryAfterMs } from '../classify.js'
import { between } from '../random.js'
import { chooseAfterDecline, type DeclineChoice } from '../after-decline.js'
import type { CallResult } from '../http.js'
import type { Shopper } from '../shoppers.js'
import { cardNumbers, type CardName } from '../types.js'
import { addInStock } from './cart.js'
import { isOk, as, withShopper, type Scenario, type ScenarioContext } from './context.js'
import { followOrder } from './follow-order.js'

/** A shopper's pause after an order before their next cart (see ShopperPool.release). */
const restAfterOrderMs = 3_000

/**
 * How long a request with an Idempotency-Key keeps being repeated after 429/503 with
 * retry-after (the platform shedding a burst). A placement shed at the gateway's deadline goes
 * on in orders: giving up early would leave an order the report does not count, so the shopper
 * is patient, as the storefront is. A retry-after longer than this ends it at once.
 */
const shedPatienceMs = 60_000
/** Repeats at most (a platform that sheds every one of them is not answering). */
const shedRetries = 30

const shippingAddress = {
  name: 'Load Shopper',
  line1: '1 Market Street',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}

const cardInput = (card: CardName) => ({
  cardNumber: cardNumbers[card],
  expMonth: 12,
  expYear: new Date().getUTCFullYear() + 3,
  cvc: '123',
})

/**
 * Sends a request that carries its own Idempotency-Key as a shopper's client would: once more
 * when no answer came, and again after `retry-after` when the platform shed or throttled it
 * (429/503), for up to `shedPatienceMs` (those repeats are recorded as `<operation>.retry`).
 */
export async function patiently<T>(
  context: ScenarioContext,
  send: (operation: string) => Promise<CallResult<T>>,
  operation: string,
): Promise<CallResult<T>> {
  const giveUpAt = Date.now() + shedPatienceMs
  let reply = await send(operation)
  if (!reply.answered && reply.outcome.kind === 'error') reply = await send(operation)
  for (let i = 0; i < shedRetries && reply.answered; i++) {
    if (reply.status !== 429 && reply.status !== 503) break
    const waitMs = retryAfterMs(reply.headers.get('retry-after'))
    if (waitMs === undefined || Date.now() + waitMs > giveUpAt || context.stop.aborted) break
    const jitterMs = context.random() * 500
    await sleep(waitMs + jitterMs, undefined, { signal: context.stop }).catch(() => undefined)
    if (context.stop.aborted) break
    reply = await send(`${operation}.retry`)
  }
  return reply
}

/**
 * A shopper's answer to a declined payment (`payment_failed`): pay again with the approved card
 * (`POST /orders/{id}/payment-attempts`, an Idempotency-Key of its own per attempt, recorded as
 * `orders.pay_again`), or cancel the order (`orders.cancel`). When the platform took it (2xx):
 * the time the order changed (its `updatedAt`), else undefined; a 409 (past the deadline, or
 * the order moved on) is an expected outcome.
 */
async function afterDecline(
  context: ScenarioContext,
  shopper: Shopper,
  orderId: string,
  choice: DeclineChoice,
): Promise<number | undefined> {
  const init = await as(context, shopper)
  if (!init) return undefined
  const path = { params: { path: { id: orderId } } }
  const expected = { ...init, expect: [409] }
  if (choice === 'cancel') {
    const reply = await patiently(
      context,
      (operation) =>
        context.http.call(
          operation,
          (api) => api.POST('/api/v1/orders/{id}/cancel', path),
          expected,
        ),
      'orders.cancel',
    )
    return isOk(reply) ? Date.parse(reply.body.updatedAt) : undefined
  }
  const key = randomUUID()
  const reply = await patiently(
    context,
    (operation) =>
      context.http.call(
        operation,
        (api) =>
          api.POST('/api/v1/orders/{id}/payment-attempts', {
            params: { path: { id: orderId }, header: { 'idempotency-key': key } },
            body: { payment: cardInput('approved') },
          }),
        expected,
      ),
    'orders.pay_again',
  )
  return isOk(reply) ? Date.parse(reply.body.updatedAt) : undefined
}

/**
 * Fills an emptied cart with one to three products in stock, places the order with a test
 * card and an Idempotency-Key (retried once with the same key when no answer came, and after
 * `retry-after` when the platform shed it with a 429/503: those repeats are recorded as
 * `orders.place.retry`), then follows it to its final status. When the payment is declined
 * (`payment_failed`), the shopper pays again with the approved card (`--retry-after-decline`
 * percent of the time) or cancels the order, then follows it on.
 */
export const checkout: Scenario = (context) =>
  withShopper(
    context,
    async (shopper, init) => {
      const { http, random, checkout: tally } = context
      const clear = await http.call('cart.clear', (api) => api.DELETE('/api/v1/cart'), init)
      if (!isOk(clear)) {
        tally.notPlaced(clear.outcome.kind === 'throttled' ? 'throttled' : 'error')
        return 'failed'
      }
      const added = new Set<string>()
      const wanted = between(random, 1, 3)
      for (let i = 0; i < wanted; i++) {
        const product = await addInStock(context, init, added)
        if (product === 'failed') {
          tally.notPlaced('error')
          return 'failed'
        }
        if (product !== 'sold_out') added.add(product.id)
      }
      if (added.size === 0) {
        tally.notPlaced('out_of_stock')
        return 'done'
      }

      const card = context.pickCard(random)
      const key = randomUUID()
      const body = { shippingAddress, payment: cardInput(card) }
      const started = Date.now()
      const placed = await patiently(
        context,
        (operation) =>
          http.call(
            operation,
            (api) =>
              api.POST('/api/v1/orders', { body, params: { header: { 'idempotency-key': key } } }),
            init,
          ),
        'orders.place',
      )
      if (!isOk(placed)) {
        const kind = placed.outcome.kind
        tally.notPlaced(
          kind === 'expected'
            ? placed.outcome.reason
            : kind === 'throttled'
              ? 'throttled'
              : 'error',
        )
        return kind === 'expected' ? 'done' : 'failed'
      }
      tally.placed()
      context.orderIds.push(placed.body.id)
      if (context.follow === 'none') {
        tally.ended(card, undefined, null, 0)
        return 'done'
      }
      const orderId = placed.body.id
      const deadline = started + context.finalTimeoutMs
      const follow = (after?: number) =>
        followOrder(context, () => as(context, shopper), orderId, deadline, after)
      let end = await follow()
      let retries = 0
      if (end?.status === 'payment_failed') tally.declined()
      while (end?.status === 'payment_failed' && !context.stop.aborted) {
        const choice = chooseAfterDecline(random, context.retryAfterDeclinePercent, retries)
        const actedAt = await afterDecline(context, shopper, orderId, choice)
        tally.afterDecline(actedAt === undefined ? 'refused' : choice)
        if (actedAt === undefined) {
          // Refused (e.g. past the payment deadline): the platform ends the order itself.
          end = await follow()
          if (end?.status === 'payment_failed') end = undefined
          break
        }
        if (choice === 'retry') retries++
        end = await follow(actedAt)
      }
      const status = end?.status === 'payment_failed' ? undefined : end?.status
      tally.ended(card, status, end?.cancellationReason ?? null, Date.now() - started, retries > 0)
      return 'done'
    },
    restAfterOrderMs,
  )
