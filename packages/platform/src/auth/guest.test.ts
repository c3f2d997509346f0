import { describe, expect, it } from 'vitest'
import { guestNotAllowed, isGuest } from './guest.js'

describe('isGuest', () => {
  it('is true only for roles that are exactly the guest role', () => {
    expect(isGuest({ roles: ['guest'] })).toBe(true)
    expect(isGuest({ roles: ['customer'] })).toBe(false)
    expect(isGuest({ roles: ['guest', 'customer'] })).toBe(false)
    expect(isGuest({ roles: ['customer', 'admin'] })).toBe(false)
    expect(isGuest({ roles: [] })).toBe(false)
  })

  it('refuses with a stable 403 code', () => {
    const error = guestNotAllowed()
    expect(error.kind).toBe('forbidden')
    expect(error.code).toBe('AUTH.GUEST_NOT_ALLOWED')
  })
})
