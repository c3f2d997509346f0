import { describe, expect, it } from 'vitest'
import { dailyFigures, type DaySums } from './figures.js'

describe('daily figures', () => {
  it('derives average order value and conversion, and fills quiet days with zeros', () => {
    const sums = new Map<string, DaySums>([
      [
        '2026-03-01',
        { captures: 3, captured: 1000, refunds: 1, refunded: 250, placed: 4, started: 6 },
      ],
    ])
    const days = dailyFigures(['2026-03-01', '2026-03-02'], sums, 'EUR')
    expect(days[0]).toEqual({
      date: '2026-03-01',
      orders: 3,
      revenue: { amount: 1000, currency: 'EUR' },
      // 333.33… rounded half up
      averageOrderValue: { amount: 333, currency: 'EUR' },
      refunds: 1,
      refundedAmount: { amount: 250, currency: 'EUR' },
      // Carts started, not orders placed; conversion is paid orders per cart started.
      carts: 6,
      conversion: 0.5,
      placed: 4,
    })
    expect(days[1]).toMatchObject({
      date: '2026-03-02',
      orders: 0,
      revenue: { amount: 0 },
      averageOrderValue: { amount: 0 },
      carts: 0,
      conversion: 0,
      placed: 0,
    })
  })

  it('rounds the average half up and the conversion to 4 decimals', () => {
    const sums = new Map([
      ['d', { captures: 2, captured: 3, refunds: 0, refunded: 0, placed: 2, started: 3 }],
    ])
    const [day] = dailyFigures(['d'], sums, 'USD')
    expect(day!.averageOrderValue.amount).toBe(2)
    expect(day!.conversion).toBe(0.6667)
  })

  it('a day of orders without carts started converts 0; carts without orders count alone', () => {
    const sums = new Map([
      ['a', { captures: 2, captured: 10, refunds: 0, refunded: 0, placed: 2, started: 0 }],
      ['b', { captures: 0, captured: 0, refunds: 0, refunded: 0, placed: 0, started: 5 }],
    ])
    expect(
      dailyFigures(['a', 'b'], sums, 'USD').map((d) => [d.carts, d.conversion, d.placed]),
    ).toEqual([
      [0, 0, 2],
      [5, 0, 0],
    ])
  })
})
