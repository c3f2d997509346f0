import { ConfigError } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { loadReportingConfig } from './config.js'

const required = {
  REPORTING_DATABASE_URL: 'pglite:memory',
  REPORTING_JWKS_URL: 'http://users:8081/.well-known/jwks.json',
}

describe('reporting config', () => {
  it('takes the defaults: the declared port and the shop currency', () => {
    expect(loadReportingConfig(required)).toMatchObject({
      REPORTING_PORT: 8088,
      REPORTING_HOST: '0.0.0.0',
      REPORTING_JWT_ISSUER: 'emporium-users',
      REPORTING_JWT_AUDIENCE: 'emporium',
      REPORTING_CURRENCY: 'USD',
    })
  })

  it('names what is missing or wrong', () => {
    expect(() => loadReportingConfig({})).toThrow(ConfigError)
    expect(() => loadReportingConfig({})).toThrow(/REPORTING_DATABASE_URL/)
    expect(() => loadReportingConfig({ ...required, REPORTING_CURRENCY: 'usd' })).toThrow(
      /REPORTING_CURRENCY/,
    )
  })
})
