import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor, maxCursorLength, type Cursor } from './cursor.js'

describe('cursor', () => {
  it('round-trips each sort key', () => {
    const cursors: Cursor[] = [
      { sort: 'newest', key: '2026-01-02T03:04:05.678Z', id: 'a' },
      { sort: 'price_asc', key: 1999, id: 'b' },
      { sort: 'price_desc', key: 0, id: 'c' },
      { sort: 'relevance', key: '0.607927', id: 'd' },
      { sort: 'relevance', key: '0.042500', id: 'e', typo: true },
      { sort: 'price_asc', key: 500, id: 'f', typo: true },
      { sort: 'relevance', key: '1.060793', id: 'g', spelled: 'desk lamp' },
      { sort: 'newest', key: '2026-01-02T03:04:05.678Z', id: 'h', spelled: 'café 😀' },
      { sort: 'price_desc', key: 500, id: 'i', spelled: true },
    ]
    for (const cursor of cursors) {
      const text = encodeCursor(cursor)
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/)
      expect(decodeCursor(text, cursor.sort)).toEqual(cursor)
    }
  })

  it('leaves out a corrected text that would make it longer than the contracts take', () => {
    const id = '0b4f7d0e-6a53-4c43-9a27-3f1e4c3b2a10'
    // 200 letters of two bytes each (the longest search): too long to carry.
    const long = { sort: 'relevance' as const, key: '1.060793', id, spelled: 'ж'.repeat(200) }
    const text = encodeCursor(long)
    expect(text.length).toBeLessThanOrEqual(maxCursorLength)
    expect(decodeCursor(text, 'relevance')).toEqual({ ...long, spelled: true })
    // 200 ASCII letters and a few more (the longest search corrected) fit.
    const ascii = { ...long, spelled: 'l'.repeat(216) }
    expect(encodeCursor(ascii).length).toBeLessThanOrEqual(maxCursorLength)
    expect(decodeCursor(encodeCursor(ascii), 'relevance')).toEqual(ascii)
  })

  it('refuses garbage, tampering and a cursor of another sort with a 400', () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const bad = [
      '',
      'not base64!',
      'e30',
      b64({ sort: 'newest' }),
      b64(['newest', 'yesterday', 'a']),
      b64(['price_asc', -1, 'a']),
      b64(['price_asc', 1.5, 'a']),
      b64(['price_asc', '1', 'a']),
      b64(['relevance', '1e9', 'a']),
      b64(['newest', '2026-01-01T00:00:00Z', '']),
      b64(['cheapest', 1, 'a']),
      b64(['price_asc', 1, 'a', 'fuzzy']),
      b64(['price_asc', 1, 'a', 'typo', 'x']),
      b64(['price_asc', 1, 'a', 'spelled']),
      b64(['price_asc', 1, 'a', 'spelled', 1]),
      b64(['price_asc', 1, 'a', 'spelled', '  ']),
      b64(['price_asc', 1, 'a', 'spelled', 'la\u0000mp']),
      b64(['price_asc', 1, 'a', 'spelled', 'la\ud800mp']),
      b64(['price_asc', 1, 'a', 'spelled', 'l'.repeat(301)]),
      b64(['price_asc', 1, 'a', 'spelled', 'lamp', 'x']),
      b64(['price_asc', 1, 'a', 'respell', 'lamp']),
      // Values that parse in JavaScript but that the database refuses with an error.
      b64(['price_asc', 1e20, 'a']),
      b64(['price_asc', 100_000_000_001, 'a']),
      b64(['price_asc', 1, 'a\u0000']),
      b64(['price_asc', 1, 'a b']),
    ]
    for (const text of bad) {
      expect(() => decodeCursor(text, 'price_asc'), text).toThrow(
        expect.objectContaining({ kind: 'invalid', code: 'CATALOG.INVALID_CURSOR' }),
      )
    }
    const other = encodeCursor({ sort: 'newest', key: '2026-01-01T00:00:00.000Z', id: 'a' })
    expect(() => decodeCursor(other, 'price_asc')).toThrow(/cursor/)
  })

  it('refuses a time the database cannot compare with, though JavaScript parses it', () => {
    const newest = (key: string) => encodeCursor({ sort: 'newest', key, id: 'a' })
    for (const key of [
      '+275760-09-13T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2026-02-31T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01',
      'Thu, 01 Jan 2026 00:00:00 GMT',
    ]) {
      expect(() => decodeCursor(newest(key), 'newest'), key).toThrow(
        expect.objectContaining({ code: 'CATALOG.INVALID_CURSOR' }),
      )
    }
    for (const key of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(decodeCursor(newest(key), 'newest').key).toBe(key)
    }
  })
})
