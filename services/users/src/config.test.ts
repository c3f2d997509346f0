import { describe, expect, it } from 'vitest'
import { loadUsersConfig } from './config.js'

const minimal = { USERS_DATABASE_URL: 'pglite:memory', USERS_SIGNING_KEY_FILE: '/tmp/k.json' }

describe('users config', () => {
  it('has defaults for all but the database and a key source', () => {
    expect(loadUsersConfig(minimal)).toMatchObject({
      USERS_PORT: 8081,
      USERS_JWT_ISSUER: 'emporium-users',
      USERS_JWT_AUDIENCE: 'emporium',
      USERS_ACCESS_TOKEN_TTL_SECONDS: 900,
      USERS_REFRESH_TOKEN_TTL_SECONDS: 30 * 86_400,
      USERS_PASSWORD_RESET_TTL_SECONDS: 3600,
      ADMIN_EMAILS: '',
      RABBITMQ_URL: 'memory',
    })
  })

  it('names a missing database URL and a missing key source', () => {
    expect(() => loadUsersConfig({ USERS_SIGNING_KEYS: '[]' })).toThrow(
      /USERS_DATABASE_URL is required/,
    )
    expect(() => loadUsersConfig({})).toThrow(
      /USERS_DATABASE_URL is required.*\n.*USERS_SIGNING_KEYS or USERS_SIGNING_KEY_FILE/,
    )
    expect(() => loadUsersConfig({ USERS_DATABASE_URL: 'pglite:memory' })).toThrow(
      /USERS_SIGNING_KEYS or USERS_SIGNING_KEY_FILE is required/,
    )
    expect(() => loadUsersConfig({ ...minimal, USERS_DATABASE_URL: 'redis://x' })).toThrow(
      /USERS_DATABASE_URL must match/,
    )
    expect(() => loadUsersConfig({ ...minimal, USERS_ACCESS_TOKEN_TTL_SECONDS: '5' })).toThrow(
      /USERS_ACCESS_TOKEN_TTL_SECONDS must be an integer >= 30/,
    )
  })
})
