import { ConfigError } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { loadNotificationsConfig } from './config.js'

const required = {
  NOTIFICATIONS_DATABASE_URL: 'pglite:memory',
  NOTIFICATIONS_JWKS_URL: 'http://users:8081/.well-known/jwks.json',
}

describe('notifications config', () => {
  it('takes the defaults', () => {
    expect(loadNotificationsConfig(required)).toMatchObject({
      NOTIFICATIONS_PORT: 8086,
      NOTIFICATIONS_HOST: '0.0.0.0',
      NOTIFICATIONS_JWT_ISSUER: 'emporium-users',
      NOTIFICATIONS_JWT_AUDIENCE: 'emporium',
      NOTIFICATIONS_SENDER: 'log',
      NOTIFICATIONS_FROM: 'Emporium <orders@emporium.local>',
      NOTIFICATIONS_SEND_MAX_ATTEMPTS: 6,
      NOTIFICATIONS_STREAM_POLL_MS: 500,
      NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS: 15,
      NOTIFICATIONS_STREAM_ORDER_WAIT_MS: 5000,
    })
  })

  it('accepts each kind of sender', () => {
    for (const sender of [
      'log',
      'file:/tmp/mail.jsonl',
      'smtp://mail:25',
      'smtps://u:p@mail:465',
    ]) {
      expect(
        loadNotificationsConfig({ ...required, NOTIFICATIONS_SENDER: sender }).NOTIFICATIONS_SENDER,
      ).toBe(sender)
    }
  })

  it('names a missing or bad variable', () => {
    expect(() =>
      loadNotificationsConfig({ ...required, NOTIFICATIONS_DATABASE_URL: undefined }),
    ).toThrow(/NOTIFICATIONS_DATABASE_URL is required/)
    expect(() =>
      loadNotificationsConfig({ ...required, NOTIFICATIONS_DATABASE_URL: 'mysql://x/y' }),
    ).toThrow(ConfigError)
    expect(() => loadNotificationsConfig({ ...required, NOTIFICATIONS_SENDER: 'pigeon' })).toThrow(
      /NOTIFICATIONS_SENDER/,
    )
    expect(() => loadNotificationsConfig({ ...required, NOTIFICATIONS_SENDER: 'file:' })).toThrow(
      /NOTIFICATIONS_SENDER/,
    )
    expect(() =>
      loadNotificationsConfig({ ...required, NOTIFICATIONS_STREAM_POLL_MS: 'often' }),
    ).toThrow(/NOTIFICATIONS_STREAM_POLL_MS/)
  })
})
