import { describe, expect, it } from 'vitest'
import { csvCell, dailyCsv, decimal, topProductsCsv, toCsv } from './csv.js'

describe('CSV export', () => {
  it('quotes per RFC 4180 and ends every row with CRLF', () => {
    expect(toCsv([['a', 'b,c', 'say "hi"', 'two\nlines', 3]])).toBe(
      'a,"b,c","say ""hi""","two\nlines",3\r\n',
    )
  })

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    for (const start of ['+', '-', '@', '\t', '\r']) {
      expect(csvCell(`${start}1`).replace(/^"/, '')).toMatch(/^'/)
    }
    expect(csvCell('Plain shirt')).toBe('Plain shirt')
    // Numbers are ours, never a formula.
    expect(csvCell(-1)).toBe('-1')
  })

  it('writes amounts in major units', () => {
    expect(decimal(123456, 2)).toBe('1234.56')
    expect(decimal(5, 2)).toBe('0.05')
    expect(decimal(500, 0)).toBe('500')
  })

  it('exports the daily figures with a header row', () => {
    const csv = dailyCsv({
      currency: 'USD',
      days: [
        {
          date: '2026-03-01',
          orders: 2,
          revenue: { amount: 2500, currency: 'USD' },
          averageOrderValue: { amount: 1250, currency: 'USD' },
          refunds: 1,
          refundedAmount: { amount: 100, currency: 'USD' },
          carts: 4,
          conversion: 0.5,
          placed: 3,
        },
      ],
    })
    // `placed` came last (issue 19): the columns before it keep their places.
    expect(csv.split('\r\n')).toEqual([
      'date,orders,revenue,average_order_value,refunds,refunded_amount,carts,conversion,currency,placed',
      '2026-03-01,2,25.00,12.50,1,1.00,4,0.5,USD,3',
      '',
    ])
  })

  it('exports product names as text', () => {
    const csv = topProductsCsv(
      [{ productId: 'p1', name: '=1+1', quantity: 2, revenue: { amount: 200, currency: 'JPY' } }],
      'JPY',
    )
    expect(csv).toBe(
      "product_id,variant_id,name,quantity,revenue,currency\r\np1,,'=1+1,2,200,JPY\r\n",
    )
  })
})
