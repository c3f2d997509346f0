import { ConfigError } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { allowedHostsOf, loadWebhooksConfig, retryDelaysOf } from './config.js'

const required = {
  WEBHOOKS_DATABASE_URL: 'pglite:memory',
  WEBHOOKS_JWKS_URL: 'http://users:8081/.well-known/jwks.json',
}

describe('webhooks config', () => {
  it('takes the defaults: the declared port, no allow-list, a schedule over 24 hours', () => {
    const config = loadWebhooksConfig(required)
    expect(config).toMatchObject({
      WEBHOOKS_PORT: 8089,
      WEBHOOKS_ALLOWED_HOSTS: '',
      WEBHOOKS_TIMEOUT_MS: 10_000,
      WEBHOOKS_DISABLE_AFTER_HOURS: 72,
    })
    expect(allowedHostsOf(config)).toEqual([])
    const delays = retryDelaysOf(config)
    expect(delays.length + 1).toBeGreaterThanOrEqual(6)
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3_600_000)
  })

  it('reads the allow-list and the delays', () => {
    const config = loadWebhooksConfig({
      ...required,
      WEBHOOKS_ALLOWED_HOSTS: ' 127.0.0.1, LocalHost ,[::1]',
      WEBHOOKS_RETRY_DELAYS_MS: '10, 20,30',
    })
    expect(allowedHostsOf(config)).toEqual(['127.0.0.1', 'localhost', '::1'])
    expect(retryDelaysOf(config)).toEqual([10, 20, 30])
  })

  it('names what is missing or wrong', () => {
    expect(() => loadWebhooksConfig({})).toThrow(ConfigError)
    expect(() => loadWebhooksConfig({})).toThrow(/WEBHOOKS_DATABASE_URL/)
    expect(() => loadWebhooksConfig({ ...required, WEBHOOKS_RETRY_DELAYS_MS: '5s' })).toThrow(
      /WEBHOOKS_RETRY_DELAYS_MS/,
    )
    expect(() => loadWebhooksConfig({ ...required, WEBHOOKS_DISABLE_AFTER_HOURS: '0' })).toThrow(
      /WEBHOOKS_DISABLE_AFTER_HOURS/,
    )
  })
})
