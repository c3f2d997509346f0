import { describe, expect, it } from 'vitest'
import { requestSlot } from './request-slot.js'

describe('requestSlot', () => {
  it('keeps a value per object, apart from other slots and from the object’s own keys', () => {
    const spans = requestSlot<string>('span')
    const other = requestSlot<string>('span')
    const a = { span: 'own' }
    const b = {}
    spans.set(a, 'a')
    spans.set(b, 'b')
    other.set(a, 'other')
    expect(spans.get(a)).toBe('a')
    expect(spans.get(b)).toBe('b')
    expect(other.get(a)).toBe('other')
    expect(a.span).toBe('own')
    expect(Object.keys(a)).toEqual(['span'])
    spans.set(a, undefined)
    expect(spans.get(a)).toBeUndefined()
    expect(spans.get({})).toBeUndefined()
  })
})
