import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, SharedConfig } from './config.js'

const Schema = Type.Object({
  ...SharedConfig,
  ORDERS_DATABASE_URL: Type.String({ minLength: 1 }),
  ORDERS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8084 }),
  ORDERS_SAGA_ENABLED: Type.Boolean({ default: true }),
})

describe('loadConfig', () => {
  it('applies defaults and converts numbers and booleans from text', () => {
    const config = loadConfig(Schema, {
      ORDERS_DATABASE_URL: 'postgres://x',
      ORDERS_SAGA_ENABLED: 'false',
    })
    expect(config).toMatchObject({
      ORDERS_PORT: 8084,
      ORDERS_SAGA_ENABLED: false,
      LOG_LEVEL: 'info',
      RABBITMQ_URL: 'memory',
    })
  })

  it('names a missing variable', () => {
    expect(() => loadConfig(Schema, {})).toThrowError(/ORDERS_DATABASE_URL is required/)
  })

  it('names every bad variable, and only those', () => {
    try {
      loadConfig(Schema, {
        ORDERS_DATABASE_URL: 'postgres://x',
        ORDERS_PORT: 'eighty',
        LOG_LEVEL: 'loud',
      })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      const problems = (error as ConfigError).problems
      expect(problems.some((p) => p.startsWith('ORDERS_PORT'))).toBe(true)
      expect(problems.some((p) => p.startsWith('LOG_LEVEL'))).toBe(true)
      expect(problems.some((p) => p.startsWith('ORDERS_DATABASE_URL'))).toBe(false)
    }
  })

  it('refuses a number out of range', () => {
    expect(() =>
      loadConfig(Schema, { ORDERS_DATABASE_URL: 'x', ORDERS_PORT: '70000' }),
    ).toThrowError(/ORDERS_PORT/)
  })

  it('treats an empty variable as unset', () => {
    expect(() => loadConfig(Schema, { ORDERS_DATABASE_URL: '' })).toThrowError(
      /ORDERS_DATABASE_URL is required/,
    )
  })

  it('never prints the value of a secret-looking variable', () => {
    const Secret = Type.Object({ USERS_DATABASE_URL: Type.String({ pattern: '^mysql://' }) })
    expect(() =>
      loadConfig(Secret, { USERS_DATABASE_URL: 'postgres://u:hunter2@h/db' }),
    ).toThrowError(/^(?![\s\S]*hunter2)[\s\S]*USERS_DATABASE_URL/)
  })

  it('never prints a password inside a URL of any other variable', () => {
    const Sender = Type.Object({
      NOTIFICATIONS_SENDER: Type.String({ pattern: '^(log|smtps?://.+)$' }),
    })
    const message = (() => {
      try {
        loadConfig(Sender, { NOTIFICATIONS_SENDER: 'smpt://mailer:hunter2@mail.example:587' })
      } catch (error) {
        return (error as Error).message
      }
      return ''
    })()
    expect(message).toContain('smpt://mailer:[redacted]@mail.example:587')
    expect(message).not.toContain('hunter2')
  })
})
