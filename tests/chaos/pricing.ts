import { ShopClient } from '../e2e/shop-client.js'

// The shop's pricing for the chaos run (issue 18): before the load, an admin sets up what a
// checkout pays on top of its products — a flat shipping method to the shoppers' country (the
// shipping service quotes it at every placement, so a placement needs shipping up), a tax rate
// there, and a promotion with far fewer uses than the shoppers who try it.

/** The flat price of the run's one shipping method (minor units, USD). */
export const shippingPrice = 499
/** The tax rate of the shoppers' country (US), in basis points. */
export const taxRateBasisPoints = 825

export interface ChaosPricing {
  zoneId: string
  methodId: string
  taxRateId: string
  promotion: { id: string; code: string; usageLimit: number }
}

/** Sends an admin's request, sent again on a 5xx or a network error (the platform just started). */
async function adminCall<T>(
  client: ShopClient,
  adminToken: string,
  path: string,
  init: { method?: string; body?: unknown },
  expected: number,
): Promise<T> {
  let last = ''
  for (let attempt = 0; attempt < 10; attempt++) {
    const reply = await client
      .call<T>(path, { ...init, token: adminToken })
      .catch((error: unknown) => ({ status: 0, body: String(error) as unknown as T }))
    if (reply.status === expected) return reply.body
    last = `${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`
    if (reply.status >= 400 && reply.status < 500) break
    await new Promise((r) => setTimeout(r, 1_000))
  }
  throw new Error(`${init.method ?? 'POST'} ${path} ${last}`)
}

/** Creates the zone, method, tax rate and promotion (`usageLimit` uses). */
export async function setUpPricing(
  api: string,
  adminToken: string,
  usageLimit: number,
): Promise<ChaosPricing> {
  const client = new ShopClient(api)
  const zone = await adminCall<{ id: string }>(
    client,
    adminToken,
    '/shipping/zones',
    { body: { name: 'Chaos domestic', countries: [{ country: 'US' }] } },
    201,
  )
  const method = await adminCall<{ id: string }>(
    client,
    adminToken,
    '/shipping/methods',
    {
      body: {
        zoneId: zone.id,
        name: 'Chaos standard',
        carrier: 'chaos-post',
        basis: 'flat',
        rates: [{ from: 0, price: { amount: shippingPrice, currency: 'USD' } }],
        estimatedDays: { min: 2, max: 5 },
      },
    },
    201,
  )
  const taxRate = await adminCall<{ id: string }>(
    client,
    adminToken,
    '/tax-rates',
    { method: 'PUT', body: { country: 'US', rateBasisPoints: taxRateBasisPoints } },
    200,
  )
  const code = `CHAOS${Date.now().toString(36).toUpperCase()}`
  const promotion = await adminCall<{ id: string; code: string }>(
    client,
    adminToken,
    '/promotions',
    { body: { code, kind: 'percentage', percent: 15, usageLimit } },
    201,
  )
  return {
    zoneId: zone.id,
    methodId: method.id,
    taxRateId: taxRate.id,
    promotion: { id: promotion.id, code: promotion.code, usageLimit },
  }
}
