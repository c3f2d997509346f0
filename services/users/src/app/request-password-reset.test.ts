import { describe, expect, it } from 'vitest'
import { setup } from './password-reset-test-support.js'
import { hashResetToken } from './request-password-reset.js'

describe('password reset request', () => {
  it('answers {} alike for an unknown address, and mails a link (only its hash stored) for an account', async () => {
    const { request, resetEvents, resetTokens, first, lastToken } = await setup()
    expect(await request({ email: 'nobody@example.com' })).toEqual({})
    expect(resetEvents()).toEqual([])
    expect(resetTokens()).toEqual([])
    expect(await request({ email: ' HAL@example.com ' })).toEqual({})
    expect(resetEvents()).toEqual([
      {
        userId: first.user.id,
        email: 'hal@example.com',
        name: 'Hal',
        resetUrl: expect.stringMatching(
          /^https:\/\/shop\.example\/reset-password#token=[\w-]{43}$/,
        ),
        expiresAt: '2030-01-01T01:00:00.000Z',
      },
    ])
    expect(resetTokens()).toEqual([
      expect.objectContaining({ tokenHash: hashResetToken(lastToken()), usedAt: null }),
    ])
  })
})
