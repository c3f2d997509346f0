import { describe, expect, it } from 'vitest'
import { isListedAdmin, parseAdminEmails, rolesOf } from './roles.js'

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
