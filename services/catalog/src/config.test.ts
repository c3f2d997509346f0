import { describe, expect, it } from 'vitest'
import { ConfigError } from '@emporium/platform'
import { loadCatalogConfig } from './config.js'

describe('catalog config', () => {
  it('has defaults and converts types', () => {
    const config = loadCatalogConfig({
      CATALOG_DATABASE_URL: 'pglite:memory',
      CATALOG_JWKS_URL: 'http://users:8081/.well-known/jwks.json',
      CATALOG_SEED_DEMO: 'true',
    })
    expect(config).toMatchObject({
      CATALOG_PORT: 8082,
      CATALOG_JWT_ISSUER: 'emporium-users',
      CATALOG_JWT_AUDIENCE: 'emporium',
      CATALOG_RESERVATION_TTL_SECONDS: 900,
      CATALOG_SEED_DEMO: true,
    })
    expect(
      loadCatalogConfig({
        CATALOG_DATABASE_URL: 'postgres://x@y/z',
        CATALOG_JWKS_URL: 'http://u/j',
      }).CATALOG_SEED_DEMO,
    ).toBe(false)
  })

  it('names the missing and bad variables', () => {
    try {
      loadCatalogConfig({ CATALOG_DATABASE_URL: 'mysql://x/y' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      const message = (error as Error).message
      expect(message).toContain('CATALOG_DATABASE_URL')
      expect(message).toContain('CATALOG_JWKS_URL is required')
    }
  })
})
