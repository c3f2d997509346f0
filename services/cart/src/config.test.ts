import { ConfigError } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { loadCartConfig } from './config.js'

const required = {
  CART_DATABASE_URL: 'pglite:memory',
  CART_CATALOG_URLS: 'http://catalog-1:8082,http://catalog-2:8082',
  CART_JWKS_URL: 'http://users:8081/.well-known/jwks.json',
}

describe('cart config', () => {
  it('takes the defaults', () => {
    expect(loadCartConfig(required)).toMatchObject({
      CART_PORT: 8083,
      CART_CATALOG_TIMEOUT_MS: 2000,
      CART_IDLE_TTL_DAYS: 30,
      CART_JWT_ISSUER: 'emporium-users',
      CART_JWT_AUDIENCE: 'emporium',
      CART_CURRENCY: 'USD',
    })
    expect(loadCartConfig(required).CART_REDIS_URL).toBeUndefined()
  })

  it('names a missing or bad variable', () => {
    expect(() => loadCartConfig({ ...required, CART_CATALOG_URLS: undefined })).toThrow(
      /CART_CATALOG_URLS/,
    )
    expect(() => loadCartConfig({ ...required, CART_REDIS_URL: 'mysql://x' })).toThrow(ConfigError)
    expect(() => loadCartConfig({ ...required, CART_DATABASE_URL: 'mysql://x/y' })).toThrow(
      /CART_DATABASE_URL/,
    )
  })
})
