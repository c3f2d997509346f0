import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceCredentials, generatePrivateJwk } from '@emporium/platform'
import { createHarness, type Harness } from './payments-harness.js'

// Zero trust inside the network: reaching payments' port is not enough to tokenize a card for
// any user id; only the orders service, with a credential signed by its own key, may.

describe('POST /internal/payment-methods requires the orders service', () => {
  let h: Harness
  const nextYear = new Date().getUTCFullYear() + 1
  const body = () => ({
    userId: randomUUID(),
    card: { cardNumber: '4242424242424242', expMonth: 12, expYear: nextYear, cvc: '987' },
  })

  beforeAll(async () => {
    h = await createHarness('pglite')
  })
  afterAll(async () => {
    await h?.close()
  })

  async function tokenize(headers: Record<string, string>) {
    const response = await fetch(`${h.running.url}/internal/payment-methods`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body()),
    })
    const text = await response.text()
    return { status: response.status, type: response.headers.get('content-type'), body: text }
  }

  const stored = async () => {
    const { rows } = await sql<{
      n: number
    }>`select count(*)::int as n from payment_methods`.execute(h.testDb.database.db)
    return [rows[0]!.n, h.faults.tokenizeCalls]
  }

  it('refuses every caller but orders with a 401 or 403 problem, storing nothing', async () => {
    const before = await stored()
    const minutesAgo = Date.now() - 10 * 60_000
    const expired = createServiceCredentials({
      caller: 'orders',
      keys: [await generatePrivateJwk()],
      now: () => minutesAgo,
    })
    const unknownKey = createServiceCredentials({
      caller: 'orders',
      keys: [await generatePrivateJwk()],
    })
    const userToken = h.tokens.bearer(randomUUID(), ['customer', 'admin'])
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['no credential', {}, 401, 'AUTH.SERVICE_CREDENTIAL_REQUIRED'],
      ['a user token', { authorization: userToken }, 401, 'AUTH.SERVICE_CREDENTIAL_REQUIRED'],
      [
        'a user token as the credential',
        { 'x-service-authorization': userToken },
        401,
        'AUTH.INVALID_SERVICE_CREDENTIAL',
      ],
      [
        'another audience',
        { 'x-service-authorization': await h.internal.orders.authorization('catalog') },
        401,
        'AUTH.INVALID_SERVICE_CREDENTIAL',
      ],
      [
        'an unknown key',
        { 'x-service-authorization': await unknownKey.authorization('payments') },
        401,
        'AUTH.INVALID_SERVICE_CREDENTIAL',
      ],
      [
        'expired',
        { 'x-service-authorization': await expired.authorization('payments') },
        401,
        'AUTH.INVALID_SERVICE_CREDENTIAL',
      ],
      [
        'a caller not allowed',
        { 'x-service-authorization': await h.internal.cart.authorization('payments') },
        403,
        'AUTH.SERVICE_CALLER_FORBIDDEN',
      ],
    ]
    for (const [name, headers, status, code] of cases) {
      const reply = await tokenize(headers)
      expect(reply.status, name).toBe(status)
      expect(reply.type, name).toContain('application/problem+json')
      expect(JSON.parse(reply.body).code, name).toBe(code)
    }
    expect(await stored()).toEqual(before)
  })

  it('tokenizes for orders', async () => {
    const reply = await tokenize(await h.internal.headers())
    expect(reply.status, reply.body).toBe(201)
    expect(JSON.parse(reply.body)).toMatchObject({ last4: '4242', brand: 'visa' })
  })
})
