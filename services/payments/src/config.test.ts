import { ConfigError } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { loadPaymentsConfig } from './config.js'

const required = {
  PAYMENTS_DATABASE_URL: 'pglite:memory',
  PAYMENTS_JWKS_URL: 'http://users:8081/.well-known/jwks.json',
}

describe('payments config', () => {
  it('takes the defaults', () => {
    expect(loadPaymentsConfig(required)).toMatchObject({
      PAYMENTS_PORT: 8085,
      PAYMENTS_JWT_ISSUER: 'emporium-users',
      PAYMENTS_JWT_AUDIENCE: 'emporium',
      PAYMENTS_PROVIDER: 'simulated',
      PAYMENTS_SIMULATED_SLOW_MS: 5000,
      PAYMENTS_PROVIDER_TIMEOUT_MS: 10_000,
      PAYMENTS_MAX_ATTEMPTS: 4,
      PAYMENTS_RETRY_BASE_MS: 200,
      PAYMENTS_DECLINE_WINDOW_SECONDS: 3600,
      PAYMENTS_MAX_DECLINES_PER_USER: 5,
      PAYMENTS_MAX_DECLINES_PER_CARD: 3,
    })
  })

  it('refuses a short card fingerprint key without printing it', () => {
    expect(() =>
      loadPaymentsConfig({ ...required, PAYMENTS_CARD_FINGERPRINT_KEY: 'short-k3y' }),
    ).toThrow(/PAYMENTS_CARD_FINGERPRINT_KEY/)
    expect(() =>
      loadPaymentsConfig({ ...required, PAYMENTS_CARD_FINGERPRINT_KEY: 'short-k3y' }),
    ).not.toThrow(/short-k3y/)
  })

  it('converts numbers from text', () => {
    const config = loadPaymentsConfig({
      ...required,
      PAYMENTS_PORT: '9999',
      PAYMENTS_MAX_ATTEMPTS: '2',
      PAYMENTS_SIMULATED_SLOW_MS: '10',
    })
    expect(config).toMatchObject({
      PAYMENTS_PORT: 9999,
      PAYMENTS_MAX_ATTEMPTS: 2,
      PAYMENTS_SIMULATED_SLOW_MS: 10,
    })
  })

  it('names a missing or bad variable', () => {
    expect(() => loadPaymentsConfig({ ...required, PAYMENTS_JWKS_URL: undefined })).toThrow(
      /PAYMENTS_JWKS_URL/,
    )
    expect(() => loadPaymentsConfig({ ...required, PAYMENTS_DATABASE_URL: 'mysql://x/y' })).toThrow(
      /PAYMENTS_DATABASE_URL/,
    )
    expect(() => loadPaymentsConfig({ ...required, PAYMENTS_PROVIDER: 'stripe' })).toThrow(
      /PAYMENTS_PROVIDER/,
    )
    expect(() => loadPaymentsConfig({ ...required, PAYMENTS_MAX_ATTEMPTS: '0' })).toThrow(
      ConfigError,
    )
  })
})
