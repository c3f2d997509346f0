import { describe, expect, it } from 'vitest'
import { formatReport } from './report-format.js'
import type { LoadReport } from './types.js'

const sampleReport = (): LoadReport => ({
  startedAt: '2030-01-01T00:00:00.000Z',
  seconds: 10.02,
  operations: [
    {
      name: 'products.list',
      count: 1200,
      errors: 0,
      throttled: 3,
      expected: 0,
      rps: 119.76,
      p50: 4.1,
      p90: 9.8,
      p99: 21,
      max: 40.2,
    },
    {
      name: 'cart.add',
      count: 40,
      errors: 2,
      throttled: 0,
      expected: 5,
      rps: 3.99,
      p50: 12,
      p90: 20,
      p99: 30,
      max: 31,
    },
  ],
  checkout: {
    placed: 10,
    confirmed: 7,
    cancelled: { card_declined: 2 },
    unfinished: 1,
    placeToFinal: { p50: 812, p90: 1204, p99: 2100, max: 2300 },
    notPlaced: { out_of_stock: 1 },
    byCard: {
      approved: { confirmed: 7, unfinished: 1 },
      declined: { 'cancelled:card_declined': 2 },
    },
    afterDecline: { declined: 0, retries: 0, retryOutcomes: {}, cancelled: 0, refused: 0 },
  },
  totals: { requests: 1240, errors: 2, throttled: 3, dropped: 4, errorRate: 2 / 1240, expected: 5 },
  errorsByKind: { 'http 503 CART.UNAVAILABLE': 2 },
  droppedByReason: { max_in_flight: 4 },
  scenarios: { browse: { started: 20, completed: 20 }, checkout: { started: 11, completed: 10 } },
  shoppers: { pool: 8, reused: 6, loggedIn: 0, registered: 2 },
  settings: {
    baseUrl: 'http://127.0.0.1:8080/api/v1',
    rate: 4,
    durationSeconds: 10,
    rampSeconds: 2,
    maxInFlight: 64,
    followOrders: 'stream',
  },
  orderIds: [],
  productIds: [],
})

describe('formatReport', () => {
  it('prints the summary, an aligned table per operation, checkouts and errors', () => {
    const text = formatReport(sampleReport())
    const lines = text.split('\n')
    expect(lines[0]).toBe(
      'Load on http://127.0.0.1:8080/api/v1: 10 s, 4 arrivals/s (ramp 2 s), at most 64 in flight, ' +
        '8 shoppers (6 reused, 0 logged in, 2 registered)',
    )
    expect(lines[1]).toBe(
      'Requests 1,240, errors 2 (0.16%), throttled 3, expected outcomes 5, dropped arrivals 4 ' +
        '(max_in_flight 4)',
    )
    const header = lines.findIndex((l) => l.startsWith('operation'))
    const rows = lines.slice(header, header + 4)
    expect(new Set(rows.map((r) => r.length)).size).toBe(1) // aligned
    expect(rows[2]).toMatch(
      /^products\.list\s+1,200\s+0\s+3\s+0\s+119\.76\s+4\.1\s+9\.8\s+21\.0\s+40\.2$/,
    )
    expect(text).toContain(
      'Checkouts: 10 placed → 7 confirmed, 2 cancelled (card_declined 2), 1 unfinished; ' +
        'not placed: out_of_stock 1',
    )
    expect(text).toContain('place → final: p50 812 ms, p90 1,204 ms, p99 2,100 ms, max 2,300 ms')
    expect(text).toContain(
      'by card: approved: confirmed 7, unfinished 1; declined: cancelled:card_declined 2',
    )
    expect(text).toContain('Errors by kind: http 503 CART.UNAVAILABLE 2')
    expect(text).toContain('Scenarios completed/started: browse 20/20, checkout 10/11')
    expect(text).not.toContain('after a decline')
  })

  it('prints what shoppers did after a decline', () => {
    const report = sampleReport()
    report.checkout.afterDecline = {
      declined: 5,
      retries: 4,
      retryOutcomes: { confirmed: 3, 'cancelled:customer_cancelled': 1 },
      cancelled: 2,
      refused: 1,
    }
    expect(formatReport(report)).toContain(
      '  after a decline: 5 orders payment_failed → 4 paid again ' +
        '(confirmed 3, cancelled:customer_cancelled 1), 2 cancelled by the shopper, ' +
        '1 refused (409 or no answer)',
    )
  })

  it('lists invariants, marking failures and skips', () => {
    const text = formatReport(sampleReport(), [
      { name: 'orders final', ok: true, detail: '10 orders, all final' },
      { name: 'stock never negative', ok: false, detail: 'p1 negative' },
      { name: 'invariants', ok: true, skipped: true, detail: 'skipped: no admin' },
    ])
    expect(text).toContain(
      'Invariants:\n  ✓ orders final: 10 orders, all final\n  ✗ stock never negative',
    )
    expect(text).toContain('  - invariants: skipped: no admin')
  })
})
