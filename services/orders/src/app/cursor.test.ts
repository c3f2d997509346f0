import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from './cursor.js'

describe('order cursor', () => {
  it('round-trips', () => {
    const cursor = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: 'abc' }
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor)
  })

  it.each([
    '',
    '!!',
    Buffer.from('[1,2,3]').toString('base64url'),
    Buffer.from('["x","a"]').toString('base64url'),
  ])('refuses %j with a 400', (text) => {
    expect(() => decodeCursor(text)).toThrow(
      expect.objectContaining({ code: 'ORDERS.INVALID_CURSOR', status: 400 }),
    )
  })
})
