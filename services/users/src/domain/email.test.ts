import { describe, expect, it } from 'vitest'
import { normalizeEmail, parseEmail } from './email.js'
import { parseName } from './name.js'
import { isListedAdmin, parseAdminEmails, rolesOf } from './roles.js'

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

describe('name', () => {
  it('is trimmed and 1 to 100 characters', () => {
    expect(parseName('  Zoë  ')).toBe('Zoë')
    expect(() => parseName(' \t ')).toThrow(expect.objectContaining({ code: 'USERS.INVALID_NAME' }))
    expect(parseName('n'.repeat(100))).toHaveLength(100)
    expect(() => parseName('n'.repeat(101))).toThrow()
  })
})

describe('roles', () => {
  const admins = parseAdminEmails(' Root@Example.com, ,ops@example.com ')

  it('reads ADMIN_EMAILS comma-separated, case-insensitively, ignoring blanks', () => {
    expect([...admins]).toEqual(['root@example.com', 'ops@example.com'])
    expect(parseAdminEmails('').size).toBe(0)
  })

  it('lists addresses case-insensitively; admin is the stored grant, not the list', () => {
    expect(isListedAdmin('someone@example.com', admins)).toBe(false)
    expect(isListedAdmin('ROOT@example.com', admins)).toBe(true)
    expect(rolesOf({ isAdmin: false })).toEqual(['customer'])
    expect(rolesOf({ isAdmin: true })).toEqual(['customer', 'admin'])
  })
})
