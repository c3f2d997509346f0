import type { reporting } from '@emporium/contracts'

/**
 * A cell of RFC 4180 CSV: quoted when it holds a comma, quote or line break (quotes doubled).
 * Text a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is
 * prefixed with `'`, so that a product named `=HYPERLINK(…)` stays text (CSV injection).
 */
export function csvCell(value: string | number): string {
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Rows of cells as RFC 4180 CSV: CRLF after every row, the header first. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('')
}

/** Minor units as a decimal amount (`1234` → `12.34` for 2 digits). */
export function decimal(amount: number, digits: number): string {
  if (digits === 0) return String(amount)
  const sign = amount < 0 ? '-' : ''
  const text = String(Math.abs(amount)).padStart(digits + 1, '0')
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`
}

/** Digits of a currency's minor unit (ISO 4217), as Intl knows it; 2 when unknown. */
export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    )
  } catch {
    return 2
  }
}

/**
 * The daily figures as CSV: one row per day, amounts in the currency's major unit. Columns only
 * grow at the end (`placed`, issue 19), so spreadsheets reading them by position keep working.
 */
export function dailyCsv(report: reporting.DailyReport): string {
  const digits = minorDigits(report.currency)
  const header = [
    'date',
    'orders',
    'revenue',
    'average_order_value',
    'refunds',
    'refunded_amount',
    'carts',
    'conversion',
    'currency',
    'placed',
  ]
  return toCsv([
    header,
    ...report.days.map((day) => [
      day.date,
      day.orders,
      decimal(day.revenue.amount, digits),
      decimal(day.averageOrderValue.amount, digits),
      day.refunds,
      decimal(day.refundedAmount.amount, digits),
      day.carts,
      day.conversion,
      report.currency,
      day.placed,
    ]),
  ])
}

/** The top products as CSV (names are shoppers' and staff's text: escaped as above). */
export function topProductsCsv(items: readonly reporting.TopProduct[], currency: string): string {
  const digits = minorDigits(currency)
  return toCsv([
    ['product_id', 'variant_id', 'name', 'quantity', 'revenue', 'currency'],
    ...items.map((item) => [
      item.productId,
      item.variantId ?? '',
      item.name,
      item.quantity,
      decimal(item.revenue.amount, digits),
      currency,
    ]),
  ])
}
