import { describe, expect, it } from 'vitest'
import { createCheckoutTally, createLatencies, createRecorder } from './stats.js'

describe('createLatencies', () => {
  it('gives percentiles within the histogram precision', () => {
    const latencies = createLatencies()
    for (let i = 1; i <= 1000; i++) latencies.record(i) // 1 … 1000 ms
    const { p50, p90, p99, max } = latencies.percentiles()
    expect(latencies.count).toBe(1000)
    expect(p50).toBeGreaterThanOrEqual(499)
    expect(p50).toBeLessThanOrEqual(501)
    expect(p90).toBeGreaterThanOrEqual(899)
    expect(p90).toBeLessThanOrEqual(901)
    expect(p99).toBeGreaterThanOrEqual(989)
    expect(p99).toBeLessThanOrEqual(991)
    expect(max).toBeGreaterThanOrEqual(999)
    expect(max).toBeLessThanOrEqual(1001)
  })

  it('keeps sub-millisecond values and is all zeros when empty', () => {
    expect(createLatencies().percentiles()).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 })
    const latencies = createLatencies()
    latencies.record(0.25)
    expect(latencies.percentiles().p50).toBeCloseTo(0.3, 1)
  })
})

describe('createRecorder', () => {
  it('counts per operation, keeps throttles and expected outcomes apart from errors', () => {
    const recorder = createRecorder()
    recorder.record('products.list', 10, { kind: 'ok' })
    recorder.record('products.list', 30, { kind: 'ok' })
    recorder.record('cart.add', 5, { kind: 'expected', reason: 'CART.NOT_ENOUGH_STOCK' })
    recorder.record('cart.add', 1, { kind: 'throttled' })
    recorder.record('cart.add', 900, { kind: 'error', error: 'http 503' })
    recorder.record('cart.add', 2, { kind: 'error', error: 'http 503' })
    recorder.record('orders.place', 3, { kind: 'error', error: 'timeout' })
    recorder.record('orders.place', 3, { kind: 'aborted' })

    expect(recorder.totals()).toEqual({ requests: 7, errors: 3, throttled: 1, expected: 1 })
    expect(recorder.errorsByKind()).toEqual({ 'http 503': 2, timeout: 1 })
    const [cart, list, place] = recorder.operations(2)
    expect(cart).toMatchObject({ name: 'cart.add', count: 4, errors: 2, throttled: 1, expected: 1 })
    expect(cart!.rps).toBe(2)
    expect(cart!.max).toBeGreaterThan(899) // the throttled answer is not a latency sample
    expect(list).toMatchObject({ name: 'products.list', count: 2, errors: 0, rps: 1 })
    expect(place).toMatchObject({ name: 'orders.place', count: 1, errors: 1 })
    expect(recorder.overall().max).toBeGreaterThan(899)
  })
})

describe('createCheckoutTally', () => {
  it('sorts ends into confirmed, cancelled by reason and unfinished, per card', () => {
    const tally = createCheckoutTally()
    for (let i = 0; i < 4; i++) tally.placed()
    tally.notPlaced('out_of_stock')
    expect(tally.open).toBe(4)
    tally.ended('approved', 'confirmed', null, 100)
    tally.ended('declined', 'cancelled', 'card_declined', 300)
    tally.ended('approved', 'shipped', null, 200)
    tally.ended('slow', undefined, null, 60_000)
    expect(tally.open).toBe(0)
    const report = tally.report()
    expect(report).toMatchObject({
      placed: 4,
      confirmed: 2,
      cancelled: { card_declined: 1 },
      unfinished: 1,
      notPlaced: { out_of_stock: 1 },
      byCard: {
        approved: { confirmed: 2 },
        declined: { 'cancelled:card_declined': 1 },
        slow: { unfinished: 1 },
      },
    })
    expect(report.placeToFinal.max).toBeGreaterThanOrEqual(299) // unfinished is not a sample
    expect(report.placeToFinal.max).toBeLessThan(400)
  })

  it('counts declines, retries and their outcomes, and cancellations after a decline', () => {
    const tally = createCheckoutTally()
    for (let i = 0; i < 4; i++) tally.placed()
    // Declined, paid again, confirmed.
    tally.declined()
    tally.afterDecline('retry')
    tally.ended('declined', 'confirmed', null, 100, true)
    // Declined, paid again, declined again (a second retry), then cancelled by the shopper.
    tally.declined()
    tally.afterDecline('retry')
    tally.afterDecline('retry')
    tally.afterDecline('cancel')
    tally.ended('insufficient', 'cancelled', 'customer_cancelled', 200, true)
    // Declined and cancelled straight away.
    tally.declined()
    tally.afterDecline('cancel')
    tally.ended('declined', 'cancelled', 'customer_cancelled', 300)
    // Declined, the retry refused (past the deadline), then cancelled by the platform.
    tally.declined()
    tally.afterDecline('refused')
    tally.ended('declined', 'cancelled', 'payment_declined', 400)
    expect(tally.open).toBe(0)
    const report = tally.report()
    expect(report.afterDecline).toEqual({
      declined: 4,
      retries: 3,
      retryOutcomes: { confirmed: 1, 'cancelled:customer_cancelled': 1 },
      cancelled: 2,
      refused: 1,
    })
    expect(report).toMatchObject({
      confirmed: 1,
      cancelled: { customer_cancelled: 2, payment_declined: 1 },
      byCard: {
        declined: {
          confirmed: 1,
          'cancelled:customer_cancelled': 1,
          'cancelled:payment_declined': 1,
        },
      },
    })
    expect(createCheckoutTally().report().afterDecline).toEqual({
      declined: 0,
      retries: 0,
      retryOutcomes: {},
      cancelled: 0,
      refused: 0,
    })
  })
})
