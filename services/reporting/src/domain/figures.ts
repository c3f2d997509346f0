import type { Money, reporting } from '@emporium/contracts'

/** The sums of one day as the store adds them up (amounts in minor units). */
export interface DaySums {
  captures: number
  captured: number
  refunds: number
  refunded: number
  /** Orders placed (in the report's currency). */
  placed: number
  /** Carts started (`cart.started`): carts have no currency, so every currency's report has them. */
  started: number
}

const none: DaySums = { captures: 0, captured: 0, refunds: 0, refunded: 0, placed: 0, started: 0 }

/** `a / b` rounded half up to an integer (b > 0). */
function divideRounded(a: number, b: number): number {
  return Math.floor((2 * a + b) / (2 * b))
}

/**
 * Every day of `days` with its figures; a day without a row is zeros. Orders are the day's paid
 * orders (captures), revenue what they took; carts the carts started, conversion the paid
 * orders per cart started to 4 decimals; placed the orders placed (checkouts reached).
 */
export function dailyFigures(
  days: readonly string[],
  sums: ReadonlyMap<string, DaySums>,
  currency: string,
): reporting.DayFigures[] {
  const money = (amount: number): Money => ({ amount, currency })
  return days.map((date) => {
    const day = sums.get(date) ?? none
    return {
      date,
      orders: day.captures,
      revenue: money(day.captured),
      averageOrderValue: money(day.captures === 0 ? 0 : divideRounded(day.captured, day.captures)),
      refunds: day.refunds,
      refundedAmount: money(day.refunded),
      carts: day.started,
      conversion:
        day.started === 0 ? 0 : Math.round((day.captures / day.started) * 10_000) / 10_000,
      placed: day.placed,
    }
  })
}
