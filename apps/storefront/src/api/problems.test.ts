import { EmporiumProblem } from '@emporium/sdk'
import { describe, expect, it } from 'vitest'
import {
  canRetry,
  fieldLabel,
  fieldMessage,
  isTooManyDeclines,
  shopperMessage,
  Unreachable,
} from './problems'

const json = new Headers({ 'content-type': 'application/problem+json' })
const problem = (status: number, fields: Record<string, unknown>) =>
  new EmporiumProblem(
    { type: 'about:blank', title: 'x', status, detail: '', ...fields },
    { headers: json },
  )

describe('shopper messages', () => {
  it('never shows an API field path or name, and says what a known code means', () => {
    const range = problem(400, {
      code: 'CATALOG.INVALID_PRICE_RANGE',
      detail: 'minPrice is above maxPrice.',
      errors: [{ path: '/querystring/minPrice', message: 'must be at most maxPrice' }],
    })
    expect(shopperMessage(range)).toBe('The minimum price is above the maximum price.')
    const expired = problem(400, {
      code: 'ORDERS.INVALID_CARD',
      detail: 'The card was refused.',
      errors: [{ path: '/payment/expYear', message: 'the card has expired' }],
    })
    expect(shopperMessage(expired)).toBe(
      'Please check your card details. Expiry year: the card has expired.',
    )
    const schema = problem(400, {
      code: 'HTTP.VALIDATION',
      detail: 'The request is not valid.',
      errors: [
        {
          path: '/body/shippingAddress/postalCode',
          message: 'must NOT have more than 20 characters',
        },
        { path: '/body/somethingInternal', message: 'must be string' },
      ],
    })
    expect(shopperMessage(schema)).toBe(
      'Please check what you entered. Postal code: is too long (20 characters at most).',
    )
    // An unknown code's detail is shown only when it names no field.
    expect(shopperMessage(problem(409, { code: 'X.NEW', detail: 'sortKey clashes.' }))).toBe(
      'That cannot be done now: something changed meanwhile.',
    )
    expect(
      shopperMessage(problem(409, { code: 'X.NEW', detail: 'The order is already cancelled.' })),
    ).toBe('The order is already cancelled.')
    for (const message of [shopperMessage(range), shopperMessage(expired)]) {
      expect(message).not.toMatch(/querystring|minPrice|payment expYear|\/payment/)
    }
  })

  it('says too many declined cards as such, with its wait, not as a pace of requests', () => {
    const declines = (seconds: number) =>
      new EmporiumProblem(
        {
          type: 'about:blank',
          title: 'Too Many Requests',
          status: 429,
          code: 'ORDERS.TOO_MANY_DECLINES',
          detail: 'Too many declined payments recently; try again later.',
        },
        { headers: new Headers({ ...Object.fromEntries(json), 'retry-after': String(seconds) }) },
      )
    expect(isTooManyDeclines(declines(30))).toBe(true)
    expect(shopperMessage(declines(30))).toBe(
      'Too many cards were declined lately, so no card is tried for now. Please wait 30 ' +
        'seconds and try again.',
    )
    expect(shopperMessage(declines(600))).toContain('Please wait 10 minutes')
    const pace = problem(429, { code: 'HTTP.RATE_LIMITED' })
    expect(isTooManyDeclines(pace)).toBe(false)
    expect(shopperMessage(pace)).toMatch(/^Slow down: too many requests\./)
  })

  it('labels fields as the pages name them', () => {
    expect(fieldLabel('/querystring/maxPrice')).toBe('Max price')
    expect(fieldLabel('/body/shippingAddress/name')).toBe('Full name')
    expect(fieldLabel('/body/name')).toBe('Name')
    expect(fieldLabel('/payment/cvc')).toBe('CVC')
    expect(fieldLabel('/body/unheardOf')).toBeUndefined()
  })

  it("says a list's size limits in words (the webhooks form's event types)", () => {
    expect(fieldMessage('must NOT have fewer than 1 items')).toBe('needs at least 1 chosen')
    expect(fieldMessage('must NOT have more than 50 items')).toBe('takes at most 50')
    const refused = problem(422, {
      code: 'WEBHOOKS.INVALID_URL',
      detail: 'The URL must be https.',
      errors: [{ path: '/body/url', message: 'must be https' }],
    })
    expect(shopperMessage(refused)).toBe('Please check the URL. URL: must be https.')
  })

  it('offers a retry only where one can help', () => {
    expect(canRetry(problem(503, {}))).toBe(true)
    expect(canRetry(problem(500, {}))).toBe(true)
    expect(canRetry(problem(429, {}))).toBe(true)
    expect(canRetry(new Unreachable())).toBe(true)
    expect(canRetry(new TypeError('Failed to fetch'))).toBe(true)
    for (const status of [400, 401, 403, 404, 409, 422]) {
      expect(canRetry(problem(status, {}))).toBe(false)
    }
    expect(shopperMessage(problem(502, { detail: 'upstream /internal/x failed' }))).toBe(
      'Something went wrong on our side. Please try again in a moment.',
    )
  })
})

describe('checkout refusals of issue 18', () => {
  it('says why a promotion code or a shipping method was refused, in words', () => {
    const said = (code: string, status = 422) =>
      shopperMessage(problem(status, { code, detail: `Promotion SAVE10: ${code}` }))
    expect(said('ORDERS.PROMOTION_EXPIRED')).toBe('That promotion code has expired.')
    expect(said('ORDERS.PROMOTION_NOT_FOUND')).toBe('That promotion code is not valid.')
    expect(said('ORDERS.PROMOTION_EXHAUSTED', 409)).toBe('That promotion code has been used up.')
    expect(said('ORDERS.PROMOTION_MINIMUM_NOT_MET')).toMatch(/minimum amount/)
    expect(said('ORDERS.SHIPPING_METHOD_UNAVAILABLE', 409)).toMatch(/choose another/)
    expect(said('ORDERS.EMAIL_REQUIRED', 400)).toMatch(/e-mail address/)
    const typo = problem(400, {
      code: 'HTTP.VALIDATION',
      errors: [{ path: '/body/promotionCode', message: 'must NOT have more than 32 characters' }],
    })
    expect(shopperMessage(typo)).toBe(
      'Please check what you entered. Promotion code: is too long (32 characters at most).',
    )
  })
})
