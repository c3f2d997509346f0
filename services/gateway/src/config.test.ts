import { serviceDeclarations } from '@emporium/contracts'
import { ConfigError, loadConfig } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { GatewayConfig, jwksUrl, resolveGatewayConfig, upstreamUrls } from './config.js'

describe('gateway config', () => {
  it('has defaults for everything: port 8080, in-memory limits, no upstreams', () => {
    const config = loadConfig(GatewayConfig, {})
    expect(config).toMatchObject({
      PORT: 8080,
      REDIS_URL: 'memory',
      GATEWAY_JWT_ISSUER: 'emporium-users',
      GATEWAY_JWT_AUDIENCE: 'emporium',
      GATEWAY_UPSTREAM_TIMEOUT_MS: 10_000,
      GATEWAY_TRUST_PROXY: false,
      GATEWAY_RATE_LIMIT_PER_MINUTE: 300,
      GATEWAY_LOGIN_LIMIT_PER_CLIENT: 20,
      GATEWAY_LOGIN_FAILURES_PER_ACCOUNT: 10,
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: 10,
      GATEWAY_BODY_LIMIT_BYTES: 1024 * 1024,
      GATEWAY_BREAKER_FAILURE_RATIO: 0.5,
      GATEWAY_BREAKER_WINDOW_MS: 10_000,
      GATEWAY_BREAKER_MIN_CALLS: 20,
      GATEWAY_BREAKER_HALF_OPEN_MS: 10_000,
      GATEWAY_MANAGEMENT_PORT: 9090,
      GATEWAY_MANAGEMENT_HOST: '0.0.0.0',
    })
    expect(Object.values(upstreamUrls(config)).every((urls) => urls.length === 0)).toBe(true)
    expect(jwksUrl(config)).toBeUndefined()
  })

  it('reads URL lists, and takes the JWKS from the first users URL by default', () => {
    const config = loadConfig(GatewayConfig, {
      GATEWAY_USERS_URLS: 'http://users-1:8080/, http://users-2:8080',
      GATEWAY_TRUST_PROXY: 'true',
    })
    expect(upstreamUrls(config).users).toEqual(['http://users-1:8080', 'http://users-2:8080'])
    expect(jwksUrl(config)).toBe('http://users-1:8080/.well-known/jwks.json')
    expect(config.GATEWAY_TRUST_PROXY).toBe(true)
    expect(jwksUrl({ ...config, GATEWAY_JWKS_URL: 'https://id.example/jwks' })).toBe(
      'https://id.example/jwks',
    )
  })

  it('names bad variables', () => {
    const error = (() => {
      try {
        loadConfig(GatewayConfig, {
          GATEWAY_CART_URLS: 'cart:8080',
          REDIS_URL: 'mysql://x',
          PORT: '0',
        })
      } catch (e) {
        return e as ConfigError
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    const named = error!.problems.map((p) => p.split(' ')[0]).sort()
    expect(named).toEqual(['GATEWAY_CART_URLS', 'PORT', 'REDIS_URL'])
  })

  it('takes device-token keys of 32 characters or more, comma-separated, and never prints them', () => {
    const [a, b] = ['a'.repeat(32), 'b'.repeat(40)]
    expect(
      loadConfig(GatewayConfig, { GATEWAY_DEVICE_TOKEN_KEYS: ` ${a} , ${b}` })
        .GATEWAY_DEVICE_TOKEN_KEYS,
    ).toBe(` ${a} , ${b}`)
    expect(loadConfig(GatewayConfig, {})).toMatchObject({
      GATEWAY_DEVICE_TOKEN_KEYS: '',
      GATEWAY_LOGIN_FAILURES_PER_ACCOUNT: 10,
      GATEWAY_LOGIN_FAILURES_PER_ACCOUNT_CLIENT: 5,
      GATEWAY_LOGIN_ACCOUNT_DELAY_SECONDS: 1,
      GATEWAY_LOGIN_ACCOUNT_DELAY_MAX_SECONDS: 900,
    })
    const short = 'short-secret-key'
    for (const keys of [short, `${a},${short}`, `${a},,${b}`]) {
      const error = (() => {
        try {
          loadConfig(GatewayConfig, { GATEWAY_DEVICE_TOKEN_KEYS: keys })
        } catch (e) {
          return e as ConfigError
        }
      })()
      expect(error?.message).toMatch(/GATEWAY_DEVICE_TOKEN_KEYS/)
      expect(error?.message).not.toContain(short)
    }
  })

  it('fills defaults for settings given in code, and checks them', () => {
    expect(resolveGatewayConfig({ PORT: 9000 })).toMatchObject({ PORT: 9000, REDIS_URL: 'memory' })
    expect(() => resolveGatewayConfig({ GATEWAY_RATE_LIMIT_PER_MINUTE: 0 })).toThrow(ConfigError)
  })

  it('takes the breaker as a failure ratio strictly between 0 and 1, over a window', () => {
    expect(loadConfig(GatewayConfig, { GATEWAY_BREAKER_FAILURE_RATIO: '0.25' })).toMatchObject({
      GATEWAY_BREAKER_FAILURE_RATIO: 0.25,
    })
    for (const ratio of ['0', '1', '1.5', 'half']) {
      expect(() => loadConfig(GatewayConfig, { GATEWAY_BREAKER_FAILURE_RATIO: ratio })).toThrow(
        /GATEWAY_BREAKER_FAILURE_RATIO/,
      )
    }
    expect(() => loadConfig(GatewayConfig, { GATEWAY_BREAKER_MIN_CALLS: '0' })).toThrow(
      /GATEWAY_BREAKER_MIN_CALLS/,
    )
    expect(() => loadConfig(GatewayConfig, { GATEWAY_BREAKER_WINDOW_MS: '10' })).toThrow(
      /GATEWAY_BREAKER_WINDOW_MS/,
    )
  })

  it('has a URL list variable for every declared service, and none for anything else', () => {
    const variables = Object.keys(GatewayConfig.properties).filter((k) =>
      /^GATEWAY_.*_URLS$/.test(k),
    )
    expect(variables.sort()).toEqual(serviceDeclarations.map((s) => `GATEWAY_${s.env}_URLS`).sort())
    const urls = upstreamUrls(
      loadConfig(
        GatewayConfig,
        Object.fromEntries(
          serviceDeclarations.map((s) => [`GATEWAY_${s.env}_URLS`, `http://${s.name}-x`]),
        ),
      ),
    )
    expect(urls).toEqual(
      Object.fromEntries(serviceDeclarations.map((s) => [s.name, [`http://${s.name}-x`]])),
    )
  })

  it('fills the URL template with the name and port of each service without URLs of its own', () => {
    const [first, second] = serviceDeclarations
    const config = loadConfig(GatewayConfig, {
      GATEWAY_UPSTREAM_URL_TEMPLATE: 'http://{name}.shop.svc:{port}/',
      [`GATEWAY_${first.env}_URLS`]: 'http://a:1,http://b:2',
    })
    const urls = upstreamUrls(config)
    expect(urls[first.name]).toEqual(['http://a:1', 'http://b:2'])
    for (const service of serviceDeclarations.slice(1)) {
      expect(urls[service.name]).toEqual([`http://${service.name}.shop.svc:${service.port}`])
    }
    expect(jwksUrl(config)).toBe('http://a:1/.well-known/jwks.json')
    const byPath = upstreamUrls(
      loadConfig(GatewayConfig, { GATEWAY_UPSTREAM_URL_TEMPLATE: 'https://api.example/{name}' }),
    )
    expect(byPath[second.name]).toEqual([`https://api.example/${second.name}`])
    expect(loadConfig(GatewayConfig, {}).GATEWAY_UPSTREAM_URL_TEMPLATE).toBe('')
  })

  it('refuses a URL template without {name}, not http(s), or with another placeholder', () => {
    for (const template of [
      'http://upstream:8080',
      '{name}:{port}',
      'ftp://{name}:{port}',
      'http://{name}:{port},http://{name}-2:{port}',
      'http://{name}:{host}',
      'http:// {name}',
    ]) {
      expect(
        () => loadConfig(GatewayConfig, { GATEWAY_UPSTREAM_URL_TEMPLATE: template }),
        template,
      ).toThrow(/GATEWAY_UPSTREAM_URL_TEMPLATE/)
    }
  })
})
