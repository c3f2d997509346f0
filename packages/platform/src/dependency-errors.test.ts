import { describe, expect, it } from 'vitest'
import { isDependencyUnavailable } from './dependency-errors.js'

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code })

describe('isDependencyUnavailable', () => {
  it('knows socket errors, lost MySQL connections and PostgreSQL shutdown states', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'PROTOCOL_CONNECTION_LOST',
      '57P01',
      '57P03',
      '08006',
    ])
      expect(isDependencyUnavailable(withCode(code)), code).toBe(true)
  })

  it('knows the drivers that say it only in words, and looks through causes and aggregates', () => {
    expect(isDependencyUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isDependencyUnavailable(new Error('Connection is closed.'))).toBe(true)
    expect(
      isDependencyUnavailable(new Error('query failed', { cause: withCode('ECONNREFUSED') })),
    ).toBe(true)
    expect(isDependencyUnavailable(new AggregateError([withCode('ECONNREFUSED')]))).toBe(true)
  })

  it('leaves what is the request or the code at fault', () => {
    expect(isDependencyUnavailable(withCode('42P01', 'relation "x" does not exist'))).toBe(false)
    expect(isDependencyUnavailable(withCode('23505', 'duplicate key'))).toBe(false)
    expect(isDependencyUnavailable(withCode('ER_DUP_ENTRY'))).toBe(false)
    expect(isDependencyUnavailable(new TypeError('undefined is not a function'))).toBe(false)
    expect(isDependencyUnavailable('Connection terminated')).toBe(false)
    const loop: { cause?: unknown } & Error = new Error('a')
    loop.cause = loop
    expect(isDependencyUnavailable(loop)).toBe(false)
  })
})
