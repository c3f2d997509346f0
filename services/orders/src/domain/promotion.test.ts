import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '@emporium/platform/errors'
import {
  discountFor,
  normalizeCode,
  patchPromotion,
  refusal,
  validatePromotion,
  type PromotionDefinition,
} from './promotion.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

function promotion(overrides: Partial<PromotionDefinition> = {}): PromotionDefinition {
  return {
    code: 'SPRING10',
    offer: { kind: 'percentage', percent: 10 },
    minSubtotal: null,
    startsAt: null,
    endsAt: null,
    usageLimit: null,
    perCustomerLimit: null,
    active: true,
    ...overrides,
  }
}

const now = new Date('2026-12-03T12:00:00.000Z')
const context = { subtotal: usd(10_000), now, usesSoFar: 0, customerUses: 0 }
const codeOf = (p: PromotionDefinition, c: Partial<typeof context> = {}) =>
  refusal(p, { ...context, ...c })?.code

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    if (isAppError(error)) return error.code
    throw error
  }
  return undefined
}

describe('discountFor', () => {
  it('takes a percentage rounded half-up to the minor unit', () => {
    const ten = promotion()
    expect(discountFor(ten, usd(1999))).toEqual(usd(200)) // 199.9
    expect(discountFor(ten, usd(1994))).toEqual(usd(199)) // 199.4
    expect(discountFor(ten, usd(1995))).toEqual(usd(200)) // 199.5: half up
    expect(discountFor(promotion({ offer: { kind: 'percentage', percent: 15 } }), usd(10))).toEqual(
      usd(2), // 1.5
    )
    expect(discountFor(ten, usd(0))).toEqual(usd(0))
    expect(
      discountFor(promotion({ offer: { kind: 'percentage', percent: 100 } }), usd(777)),
    ).toEqual(usd(777))
  })

  it('stays exact for the largest subtotals (integers, not floats)', () => {
    const max = Number.MAX_SAFE_INTEGER
    const discount = discountFor(
      promotion({ offer: { kind: 'percentage', percent: 33 } }),
      usd(max),
    )
    expect(BigInt(discount.amount)).toBe((BigInt(max) * 33n + 50n) / 100n)
  })

  it('caps a fixed amount at the subtotal', () => {
    const five = promotion({ offer: { kind: 'fixed', amount: usd(500) } })
    expect(discountFor(five, usd(1999))).toEqual(usd(500))
    expect(discountFor(five, usd(300))).toEqual(usd(300))
  })

  it('refuses a fixed amount in another currency', () => {
    const five = promotion({ offer: { kind: 'fixed', amount: usd(500) } })
    expect(thrownCode(() => discountFor(five, { amount: 1000, currency: 'EUR' }))).toBe(
      'ORDERS.PROMOTION_CURRENCY',
    )
  })

  const subtotal = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
  const percent = fc.integer({ min: 1, max: 100 })

  it('property: a percentage is round-half-up of subtotal × percent / 100, within the subtotal', () => {
    fc.assert(
      fc.property(subtotal, percent, (amount, p) => {
        const { amount: d, currency } = discountFor(
          promotion({ offer: { kind: 'percentage', percent: p } }),
          usd(amount),
        )
        expect(currency).toBe('USD')
        expect(Number.isSafeInteger(d)).toBe(true)
        expect(d).toBeGreaterThanOrEqual(0)
        expect(d).toBeLessThanOrEqual(amount)
        // 100·d − amount·p within (−50, 50]: nearest, and exactly half rounds up.
        const error = 100n * BigInt(d) - BigInt(amount) * BigInt(p)
        expect(error > -50n && error <= 50n).toBe(true)
      }),
    )
  })

  it('property: a larger subtotal never gets a smaller discount (percentage and fixed)', () => {
    const offer = fc.oneof(
      percent.map((p) => ({ kind: 'percentage' as const, percent: p })),
      fc
        .integer({ min: 1, max: 10 ** 11 })
        .map((a) => ({ kind: 'fixed' as const, amount: usd(a) })),
    )
    fc.assert(
      fc.property(offer, subtotal, subtotal, (o, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a]
        const p = promotion({ offer: o })
        expect(discountFor(p, usd(low)).amount).toBeLessThanOrEqual(
          discountFor(p, usd(high)).amount,
        )
      }),
    )
  })

  it('property: a fixed amount is min(amount, subtotal)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 11 }), subtotal, (a, s) => {
        const d = discountFor(promotion({ offer: { kind: 'fixed', amount: usd(a) } }), usd(s))
        expect(d).toEqual(usd(Math.min(a, s)))
      }),
    )
  })
})

describe('refusal', () => {
  it('accepts a promotion that applies', () => {
    expect(refusal(promotion(), context)).toBeUndefined()
  })

  it('answers an inactive code as an unknown one', () => {
    expect(refusal(promotion({ active: false }), context)).toMatchObject({
      code: 'ORDERS.PROMOTION_NOT_FOUND',
      kind: 'unprocessable',
    })
  })

  it('holds the window: from startsAt inclusive, to endsAt exclusive', () => {
    expect(codeOf(promotion({ startsAt: new Date(now.getTime() + 1) }))).toBe(
      'ORDERS.PROMOTION_NOT_STARTED',
    )
    expect(codeOf(promotion({ startsAt: now }))).toBeUndefined()
    expect(codeOf(promotion({ endsAt: now }))).toBe('ORDERS.PROMOTION_EXPIRED')
    expect(codeOf(promotion({ endsAt: new Date(now.getTime() + 1) }))).toBeUndefined()
  })

  it('needs the minimum subtotal, in the same currency', () => {
    const min = promotion({ minSubtotal: usd(5000) })
    expect(codeOf(min, { subtotal: usd(4999) })).toBe('ORDERS.PROMOTION_MINIMUM_NOT_MET')
    expect(codeOf(min, { subtotal: usd(5000) })).toBeUndefined()
    expect(codeOf(min, { subtotal: { amount: 9000, currency: 'EUR' } })).toBe(
      'ORDERS.PROMOTION_CURRENCY',
    )
  })

  it('refuses a fixed amount in another currency than the cart', () => {
    const fixed = promotion({ offer: { kind: 'fixed', amount: usd(500) } })
    expect(codeOf(fixed, { subtotal: { amount: 9000, currency: 'EUR' } })).toBe(
      'ORDERS.PROMOTION_CURRENCY',
    )
    expect(codeOf(fixed)).toBeUndefined()
  })

  it('counts the limits: total (409 exhausted) and per customer (409)', () => {
    const limited = promotion({ usageLimit: 10, perCustomerLimit: 2 })
    expect(codeOf(limited, { usesSoFar: 9, customerUses: 1 })).toBeUndefined()
    expect(refusal(limited, { ...context, usesSoFar: 10 })).toMatchObject({
      code: 'ORDERS.PROMOTION_EXHAUSTED',
      kind: 'conflict',
    })
    expect(refusal(limited, { ...context, usesSoFar: 5, customerUses: 2 })).toMatchObject({
      code: 'ORDERS.PROMOTION_CUSTOMER_LIMIT',
      kind: 'conflict',
    })
  })
})

describe('codes and definitions', () => {
  it('normalizes a typed code to its stored upper-case form', () => {
    expect(normalizeCode('  spring-10 ')).toBe('SPRING-10')
    expect(normalizeCode('ab')).toBeUndefined()
    expect(normalizeCode('white space')).toBeUndefined()
    expect(normalizeCode('x'.repeat(33))).toBeUndefined()
  })

  it('validates a definition with every fault named', () => {
    expect(validatePromotion(promotion())).toEqual(promotion())
    try {
      validatePromotion(
        promotion({
          code: 'a',
          offer: { kind: 'percentage', percent: 101 },
          startsAt: now,
          endsAt: now,
          usageLimit: 0,
        }),
      )
      expect.unreachable()
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('ORDERS.INVALID_PROMOTION')
      const paths = (isAppError(error) ? (error.details.errors ?? []) : []).map((e) => e.path)
      expect(paths).toEqual(['/code', '/percent', '/endsAt', '/usageLimit'])
    }
    const fixed = promotion({ offer: { kind: 'fixed', amount: usd(0) } })
    expect(thrownCode(() => validatePromotion(fixed))).toBe('ORDERS.INVALID_PROMOTION')
    const otherMin = promotion({
      offer: { kind: 'fixed', amount: usd(100) },
      minSubtotal: { amount: 100, currency: 'EUR' },
    })
    expect(thrownCode(() => validatePromotion(otherMin))).toBe('ORDERS.INVALID_PROMOTION')
  })

  it('patches what may change and validates the result', () => {
    const ends = new Date('2027-01-01T00:00:00.000Z')
    expect(patchPromotion(promotion(), { active: false, endsAt: ends, usageLimit: 5 })).toEqual(
      promotion({ active: false, endsAt: ends, usageLimit: 5 }),
    )
    expect(patchPromotion(promotion({ usageLimit: 5 }), { usageLimit: null }).usageLimit).toBeNull()
    expect(thrownCode(() => patchPromotion(promotion({ startsAt: ends }), { endsAt: now }))).toBe(
      'ORDERS.INVALID_PROMOTION',
    )
  })
})
