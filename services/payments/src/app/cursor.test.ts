import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from './cursor.js'

describe('payment cursor', () => {
  it('round-trips', () => {
    const cursor = { createdAt: '2026-01-02T03:04:05.678Z', id: 'p-1' }
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor)
  })

  it('refuses anything else with a 400', () => {
    const bad = [
      'not a cursor!',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('["yesterday","p"]').toString('base64url'),
      Buffer.from('["2026-01-02T03:04:05Z",""]').toString('base64url'),
    ]
    for (const text of bad) {
      expect(() => decodeCursor(text), text).toThrow(
        expect.objectContaining({ code: 'PAYMENTS.INVALID_CURSOR', status: 400 }),
      )
    }
  })
})
