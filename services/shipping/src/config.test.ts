import { ConfigError } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { loadShippingConfig } from './config.js'

const required = {
  SHIPPING_DATABASE_URL: 'pglite:memory',
  SHIPPING_JWKS_URL: 'http://users:8081/.well-known/jwks.json',
}

describe('shipping config', () => {
  it('takes the defaults: the declared port, and no trusted caller', () => {
    expect(loadShippingConfig(required)).toMatchObject({
      SHIPPING_PORT: 8087,
      SHIPPING_HOST: '0.0.0.0',
      SHIPPING_JWT_ISSUER: 'emporium-users',
      SHIPPING_JWT_AUDIENCE: 'emporium',
      SHIPPING_TRUSTED_CALLERS: '',
    })
  })

  it('names what is missing or wrong', () => {
    expect(() => loadShippingConfig({})).toThrow(ConfigError)
    expect(() => loadShippingConfig({})).toThrow(/SHIPPING_DATABASE_URL/)
    expect(() => loadShippingConfig({ ...required, SHIPPING_DATABASE_URL: 'mysql://x' })).toThrow(
      /SHIPPING_DATABASE_URL/,
    )
    expect(() => loadShippingConfig({ ...required, SHIPPING_PORT: '70000' })).toThrow(
      /SHIPPING_PORT/,
    )
  })
})
