import { describe, expect, it } from 'vitest'
import { normalizeEmail, parseEmail } from './email.js'

describe('e-mail', () => {
  it('is normalised by trimming and lower-casing', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM\n')).toBe('ann.lee@example.com')
    expect(parseEmail(' X@Y.io ')).toBe('x@y.io')
  })

  it.each(['', 'plain', '@example.com', 'a@b', 'a b@example.com', 'a@@example.com', 'a@.com'])(
    'refuses %j with a 400 on /body/email',
    (raw) => {
      expect(() => parseEmail(raw)).toThrow(
        expect.objectContaining({
          code: 'USERS.INVALID_EMAIL',
          details: { errors: [{ path: '/body/email', message: 'must be an e-mail address' }] },
        }),
      )
    },
  )

  it('refuses addresses longer than 254 characters', () => {
    expect(() => parseEmail(`${'a'.repeat(250)}@b.io`)).toThrow(/not valid/)
  })
})
