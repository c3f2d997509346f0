import { describe, expect, it } from 'vitest'
import { etagOf, noneMatch } from './etag.js'

describe('etag', () => {
  it('is a strong tag that only the same bytes share', () => {
    expect(etagOf('{"a":1}')).toMatch(/^"[\w-]+"$/)
    expect(etagOf('{"a":1}')).toBe(etagOf(Buffer.from('{"a":1}')))
    expect(etagOf('{"a":1}')).not.toBe(etagOf('{"a":2}'))
  })

  it('matches if-none-match weakly, in a list, or *', () => {
    const tag = etagOf('x')
    expect(noneMatch(undefined, tag)).toBe(false)
    expect(noneMatch(tag, tag)).toBe(true)
    expect(noneMatch(`W/${tag}`, tag)).toBe(true)
    expect(noneMatch(`"other", W/${tag}`, tag)).toBe(true)
    expect(noneMatch('*', tag)).toBe(true)
    expect(noneMatch('"other"', tag)).toBe(false)
    expect(noneMatch(['"other"', tag], tag)).toBe(true)
  })
})
