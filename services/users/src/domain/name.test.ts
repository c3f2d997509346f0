import { describe, expect, it } from 'vitest'
import { parseName } from './name.js'

describe('name', () => {
  it('is trimmed and 1 to 100 characters', () => {
    expect(parseName('  Zoë  ')).toBe('Zoë')
    expect(() => parseName(' \t ')).toThrow(expect.objectContaining({ code: 'USERS.INVALID_NAME' }))
    expect(parseName('n'.repeat(100))).toHaveLength(100)
    expect(() => parseName('n'.repeat(101))).toThrow()
  })
})
