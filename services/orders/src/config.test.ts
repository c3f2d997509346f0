import { ConfigError } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { loadOrdersConfig } from './config.js'

const required = {
  ORDERS_DATABASE_URL: 'pglite:memory',
  ORDERS_CART_URLS: 'http://cart:8083',
  ORDERS_CATALOG_URLS: 'http://catalog-1:8082,http://catalog-2:8082',
  ORDERS_PAYMENTS_URLS: 'http://payments:8085',
  ORDERS_JWKS_URL: 'http://users:8081/.well-known/jwks.json',
}

describe('orders config', () => {
  it('takes the defaults', () => {
    expect(loadOrdersConfig(required)).toMatchObject({
      ORDERS_PORT: 8084,
      ORDERS_HOST: '0.0.0.0',
      ORDERS_UPSTREAM_TIMEOUT_MS: 3000,
      ORDERS_JWT_ISSUER: 'emporium-users',
      ORDERS_JWT_AUDIENCE: 'emporium',
      ORDERS_STOCK_DEADLINE_SECONDS: 30,
      ORDERS_PAYMENT_DEADLINE_SECONDS: 60,
      ORDERS_IDEMPOTENCY_TTL_HOURS: 24,
    })
  })

  it('converts numbers from their text', () => {
    const config = loadOrdersConfig({
      ...required,
      ORDERS_STOCK_DEADLINE_SECONDS: '5',
      ORDERS_IDEMPOTENCY_TTL_HOURS: '48',
      ORDERS_DATABASE_URL: 'postgres://u:p@db:5432/orders',
    })
    expect(config.ORDERS_STOCK_DEADLINE_SECONDS).toBe(5)
    expect(config.ORDERS_IDEMPOTENCY_TTL_HOURS).toBe(48)
  })

  it('names a missing or bad variable', () => {
    expect(() => loadOrdersConfig({ ...required, ORDERS_PAYMENTS_URLS: undefined })).toThrow(
      /ORDERS_PAYMENTS_URLS/,
    )
    expect(() => loadOrdersConfig({ ...required, ORDERS_CART_URLS: 'cart:8083' })).toThrow(
      /ORDERS_CART_URLS/,
    )
    expect(() => loadOrdersConfig({ ...required, ORDERS_DATABASE_URL: 'mysql://x/y' })).toThrow(
      /ORDERS_DATABASE_URL/,
    )
    expect(() => loadOrdersConfig({ ...required, ORDERS_STOCK_DEADLINE_SECONDS: '0' })).toThrow(
      /ORDERS_STOCK_DEADLINE_SECONDS/,
    )
    expect(() => loadOrdersConfig({ ...required, ORDERS_PAYMENT_DEADLINE_SECONDS: '0' })).toThrow(
      /ORDERS_PAYMENT_DEADLINE_SECONDS/,
    )
    expect(() => loadOrdersConfig({ ...required, ORDERS_IDEMPOTENCY_TTL_HOURS: '23' })).toThrow(
      ConfigError,
    )
  })

  it('reads whether prices include tax: no by default (issue 18)', () => {
    expect(loadOrdersConfig(required).ORDERS_PRICES_INCLUDE_TAX).toBe(false)
    const inclusive = loadOrdersConfig({ ...required, ORDERS_PRICES_INCLUDE_TAX: 'true' })
    expect(inclusive.ORDERS_PRICES_INCLUDE_TAX).toBe(true)
    expect(() => loadOrdersConfig({ ...required, ORDERS_PRICES_INCLUDE_TAX: 'maybe' })).toThrow(
      /ORDERS_PRICES_INCLUDE_TAX/,
    )
  })
})
