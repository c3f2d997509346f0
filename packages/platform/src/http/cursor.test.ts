import { describe, expect, it } from 'vitest'
import { decodeTimeIdCursor, encodeTimeIdCursor, parseCursorTime } from './cursor.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('time-and-id cursor', () => {
  it('round-trips', () => {
    const cursor = { at: new Date('2026-03-04T05:06:07.089Z'), id: 'c0ffee-1' }
    expect(decodeTimeIdCursor(encodeTimeIdCursor(cursor), 'X.INVALID_CURSOR')).toEqual(cursor)
  })

  it('refuses, with a 400 of the given code, what would make the database fail', () => {
    const bad = [
      'not base64!',
      b64(['+275760-09-13T00:00:00.000Z', 'a']),
      b64(['0000-01-01T00:00:00.000Z', 'a']),
      b64(['2026-02-30T00:00:00.000Z', 'a']),
      b64(['2026-01-01', 'a']),
      b64(['2026-01-01T00:00:00.000Z', 'a\u0000']),
      b64(['2026-01-01T00:00:00.000Z', '']),
      b64(['2026-01-01T00:00:00.000Z', 'x'.repeat(65)]),
      b64([1, 'a']),
    ]
    for (const text of bad) {
      expect(() => decodeTimeIdCursor(text, 'X.INVALID_CURSOR'), text).toThrow(
        expect.objectContaining({ kind: 'invalid', code: 'X.INVALID_CURSOR' }),
      )
    }
  })

  it('takes years 1 to 9999 with up to microseconds', () => {
    expect(parseCursorTime('0001-01-01T00:00:00Z')?.toISOString()).toBe('0001-01-01T00:00:00.000Z')
    expect(parseCursorTime('9999-12-31T23:59:59.999999Z')).toBeInstanceOf(Date)
    expect(parseCursorTime('2024-02-29T00:00:00Z')).toBeInstanceOf(Date)
    expect(parseCursorTime('2025-02-29T00:00:00Z')).toBeUndefined()
    expect(parseCursorTime('2025-01-01T00:00:60Z')).toBeUndefined()
  })
})
