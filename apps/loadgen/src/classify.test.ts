import { describe, expect, it } from 'vitest'
import { classifyAnswer, classifyFailure, retryAfterMs } from './classify.js'

describe('classifyAnswer', () => {
  it('counts 2xx as ok and 429 as throttled, not as errors', () => {
    expect(classifyAnswer(200, {})).toEqual({ kind: 'ok' })
    expect(classifyAnswer(204, undefined)).toEqual({ kind: 'ok' })
    expect(classifyAnswer(429, { code: 'RATE_LIMIT.EXCEEDED' })).toEqual({ kind: 'throttled' })
  })

  it('counts stock conflicts as expected business outcomes', () => {
    expect(classifyAnswer(409, { code: 'CART.NOT_ENOUGH_STOCK', status: 409 })).toEqual({
      kind: 'expected',
      reason: 'CART.NOT_ENOUGH_STOCK',
    })
  })

  it('counts other answers as errors by status and problem code or type', () => {
    expect(classifyAnswer(409, { code: 'CART.CONCURRENT_UPDATE' })).toEqual({
      kind: 'error',
      error: 'http 409 CART.CONCURRENT_UPDATE',
    })
    expect(classifyAnswer(503, { type: 'https://emporium.dev/problems/x' })).toEqual({
      kind: 'error',
      error: 'http 503 https://emporium.dev/problems/x',
    })
    expect(classifyAnswer(502, 'Bad gateway')).toEqual({ kind: 'error', error: 'http 502' })
  })

  it('takes statuses the caller expects as expected', () => {
    expect(classifyAnswer(401, { code: 'USERS.BAD_CREDENTIALS' }, [401])).toEqual({
      kind: 'expected',
      reason: '401 USERS.BAD_CREDENTIALS',
    })
    expect(classifyAnswer(401, {}, [409]).kind).toBe('error')
  })
})

describe('classifyFailure', () => {
  it('names timeouts, network errors by code, and our own stop', () => {
    const refused = Object.assign(new Error('x'), { code: 'ECONNREFUSED' })
    expect(classifyFailure(refused, false)).toEqual({
      kind: 'error',
      error: 'network ECONNREFUSED',
    })
    const wrapped = new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
    expect(classifyFailure(wrapped, false)).toEqual({ kind: 'error', error: 'network ECONNRESET' })
    const headers = Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })
    expect(classifyFailure(headers, false)).toEqual({ kind: 'error', error: 'timeout' })
    const timeout = new DOMException('late', 'TimeoutError')
    expect(classifyFailure(timeout, false)).toEqual({ kind: 'error', error: 'timeout' })
    expect(classifyFailure(refused, true)).toEqual({ kind: 'aborted' })
  })
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs(['7'])).toBe(7000)
    const now = Date.parse('2030-01-01T00:00:00Z')
    expect(retryAfterMs('Tue, 01 Jan 2030 00:00:10 GMT', now)).toBe(10_000)
    expect(retryAfterMs(undefined)).toBeUndefined()
    expect(retryAfterMs('soon')).toBeUndefined()
  })
})
