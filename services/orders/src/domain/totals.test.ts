import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeTotals, type TotalsInput } from './totals.js'

const line = (amount: number, quantity: number, taxRateBasisPoints = 0, currency = 'EUR') => ({
  unitPrice: { amount, currency },
  quantity,
  taxRateBasisPoints,
})

const input = (over: Partial<TotalsInput>): TotalsInput => ({
  currency: 'EUR',
  lines: [],
  discount: 0,
  shipping: { amount: 0, taxRateBasisPoints: 0 },
  taxInclusive: false,
  ...over,
})

/** JPY has 0 minor digits, EUR 2, KWD 3: amounts are minor units already. */
const currencies = ['JPY', 'EUR', 'KWD'] as const

const arbitraryInput = fc
  .record({
    currency: fc.constantFrom(...currencies),
    lines: fc.array(
      fc.record({
        amount: fc.integer({ min: 0, max: 10_000_000 }),
        quantity: fc.integer({ min: 1, max: 1000 }),
        taxRateBasisPoints: fc.integer({ min: 0, max: 10_000 }),
      }),
      { minLength: 0, maxLength: 12 },
    ),
    discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
    shipping: fc.record({
      amount: fc.integer({ min: 0, max: 1_000_000 }),
      taxRateBasisPoints: fc.integer({ min: 0, max: 10_000 }),
    }),
    taxInclusive: fc.boolean(),
  })
  .map(({ currency, lines, discountShare, shipping, taxInclusive }) => {
    const subtotal = lines.reduce((sum, l) => sum + l.amount * l.quantity, 0)
    return {
      currency,
      lines: lines.map((l) => line(l.amount, l.quantity, l.taxRateBasisPoints, currency)),
      discount: Math.floor(subtotal * discountShare),
      shipping,
      taxInclusive,
    } satisfies TotalsInput
  })

const sum = (values: number[]) => values.reduce((s, v) => s + v, 0)

describe('computeTotals (properties)', () => {
  it('the lines add up to the order in every currency and both tax modes', () => {
    fc.assert(
      fc.property(arbitraryInput, (given) => {
        const t = computeTotals(given)
        expect(sum(t.lines.map((l) => l.subtotal.amount))).toBe(t.subtotal.amount)
        expect(sum(t.lines.map((l) => l.discount.amount))).toBe(t.discount.amount)
        expect(t.discount.amount).toBe(given.discount)
        expect(sum(t.lines.map((l) => l.tax.amount)) + t.shippingTax.amount).toBe(t.tax.amount)
        const shipping = t.shipping.amount + (given.taxInclusive ? 0 : t.shippingTax.amount)
        expect(sum(t.lines.map((l) => l.total.amount)) + shipping).toBe(t.total.amount)
        const added = given.taxInclusive ? 0 : t.tax.amount
        expect(t.total.amount).toBe(
          t.subtotal.amount - t.discount.amount + t.shipping.amount + added,
        )
        expect(t.taxInclusive).toBe(given.taxInclusive)
      }),
      { numRuns: 500 },
    )
  })

  it('never lets a discount exceed the subtotal, a line or anything go negative', () => {
    const withAnyDiscount = arbitraryInput.chain((given) =>
      fc.integer({ min: 0, max: 2 ** 40 }).map((discount) => ({ ...given, discount })),
    )
    fc.assert(
      fc.property(withAnyDiscount, (given) => {
        const t = computeTotals(given)
        expect(t.discount.amount).toBeLessThanOrEqual(t.subtotal.amount)
        for (const l of t.lines) {
          expect(l.discount.amount).toBeLessThanOrEqual(l.subtotal.amount)
          for (const m of [l.subtotal, l.discount, l.tax, l.total]) {
            expect(m.amount).toBeGreaterThanOrEqual(0)
            expect(m.currency).toBe(given.currency)
          }
        }
        for (const m of [t.subtotal, t.discount, t.shipping, t.shippingTax, t.tax, t.total]) {
          expect(m.amount).toBeGreaterThanOrEqual(0)
          expect(Number.isSafeInteger(m.amount)).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('allocates the discount in proportion, each line within one minor unit of its share', () => {
    fc.assert(
      fc.property(arbitraryInput, (given) => {
        const t = computeTotals(given)
        const total = BigInt(t.subtotal.amount)
        // Nothing to share (no lines, or all free): no discount either.
        if (total === 0n) {
          expect(t.discount.amount).toBe(0)
          return
        }
        for (const l of t.lines) {
          // |d·S − D·s| < S: the exact share rounded down or up, never further.
          const gap =
            BigInt(l.discount.amount) * total - BigInt(given.discount) * BigInt(l.subtotal.amount)
          expect(gap < total && -gap < total).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('rounds each line tax half-up from the exact value', () => {
    fc.assert(
      fc.property(arbitraryInput, (given) => {
        const t = computeTotals(given)
        t.lines.forEach((l, i) => {
          const rate = BigInt(given.lines[i]?.taxRateBasisPoints ?? 0)
          const net = BigInt(l.subtotal.amount - l.discount.amount)
          const tax = BigInt(l.tax.amount)
          if (!given.taxInclusive) {
            // tax − net·r/10000 ∈ (−½, ½]: half-up.
            const twice = 2n * (tax * 10_000n - net * rate)
            expect(twice > -10_000n && twice <= 10_000n).toBe(true)
          } else {
            // the price without tax, net − tax, is net/(1 + r) rounded half-up.
            const twice = 2n * ((net - tax) * (10_000n + rate) - net * 10_000n)
            expect(twice > -(10_000n + rate) && twice <= 10_000n + rate).toBe(true)
          }
        })
      }),
      { numRuns: 300 },
    )
  })

  it('is the same model in JPY, EUR and KWD: only the currency code differs', () => {
    fc.assert(
      fc.property(arbitraryInput, (given) => {
        const [jpy, eur, kwd] = currencies.map((currency) =>
          computeTotals({
            ...given,
            currency,
            lines: given.lines.map((l) => ({ ...l, unitPrice: { ...l.unitPrice, currency } })),
          }),
        )
        const amounts = (t: typeof jpy) =>
          JSON.stringify(t, (k, v: unknown) => (k === 'currency' ? undefined : v))
        expect(amounts(jpy)).toBe(amounts(eur))
        expect(amounts(kwd)).toBe(amounts(eur))
        expect(kwd?.total.currency).toBe('KWD')
      }),
      { numRuns: 100 },
    )
  })
})

describe('computeTotals (examples)', () => {
  it('adds tax on top, rounded half-up per line', () => {
    const t = computeTotals(input({ lines: [line(999, 1, 2000), line(5, 1, 1000)] }))
    expect(t.lines.map((l) => l.tax.amount)).toEqual([200, 1]) // 199.8 → 200, 0.5 → 1
    expect(t.tax.amount).toBe(201)
    expect(t.total.amount).toBe(1004 + 201)
  })

  it('takes the tax out of inclusive prices and shipping', () => {
    const t = computeTotals(
      input({
        lines: [line(1000, 1, 2000), line(21, 1, 10_000)],
        shipping: { amount: 500, taxRateBasisPoints: 2000 },
        taxInclusive: true,
      }),
    )
    // 1000 − round(833.33) = 167; 21 − round(10.5) = 10; 500 − round(416.67) = 83
    expect(t.lines.map((l) => l.tax.amount)).toEqual([167, 10])
    expect(t.shippingTax.amount).toBe(83)
    expect(t.tax.amount).toBe(260)
    expect(t.total.amount).toBe(1521)
  })

  it('allocates the discount by largest remainder, ties to the earlier line', () => {
    const even = computeTotals(input({ lines: [line(1, 1), line(1, 1), line(1, 1)], discount: 2 }))
    expect(even.lines.map((l) => l.discount.amount)).toEqual([1, 1, 0])
    const skewed = computeTotals(input({ lines: [line(100, 1), line(300, 1)], discount: 3 }))
    expect(skewed.lines.map((l) => l.discount.amount)).toEqual([1, 2]) // 0.75, 2.25
    const taxed = computeTotals(input({ lines: [line(1000, 2, 1000)], discount: 500 }))
    expect(taxed.lines[0]).toMatchObject({ discount: { amount: 500 }, tax: { amount: 150 } })
    expect(taxed.total.amount).toBe(1650)
  })

  it('caps a discount at the subtotal', () => {
    const t = computeTotals(input({ lines: [line(300, 1)], discount: 1000 }))
    expect(t.discount.amount).toBe(300)
    expect(t.total.amount).toBe(0)
  })

  it('refuses unsafe or negative amounts, bad rates and mixed currencies', () => {
    const huge = Number.MAX_SAFE_INTEGER
    for (const bad of [
      input({ lines: [line(huge, 2)] }),
      input({ lines: [line(-1, 1)] }),
      input({ lines: [line(1, 1.5)] }),
      input({ discount: -1 }),
      input({ shipping: { amount: huge, taxRateBasisPoints: 0 }, lines: [line(1, 1)] }),
      input({ lines: [line(huge, 1, 10_000)] }),
    ]) {
      expect(() => computeTotals(bad)).toThrow(
        expect.objectContaining({ code: 'ORDERS.AMOUNT_TOO_LARGE', status: 400 }),
      )
    }
    for (const rate of [-1, 10_001, 12.5]) {
      expect(() => computeTotals(input({ lines: [line(1, 1, rate)] }))).toThrow(
        expect.objectContaining({ code: 'ORDERS.INVALID_TAX_RATE', status: 400 }),
      )
    }
    expect(() => computeTotals(input({ lines: [line(1, 1, 0, 'USD')] }))).toThrow(
      expect.objectContaining({ code: 'ORDERS.MIXED_CURRENCIES', status: 409 }),
    )
  })
})
