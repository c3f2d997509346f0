import { describe, expect, it } from 'vitest'
import { createFakeAccessTokens } from './fakes-test-support.js'
import { createIssueGuestToken } from './issue-guest-token.js'

describe('issueGuestToken', () => {
  it('issues a token of a new guest_<uuid> with the guest role only, for the guest lifetime', async () => {
    const accessTokens = createFakeAccessTokens()
    const issue = createIssueGuestToken({ accessTokens, ttlSeconds: 2_592_000 })
    const first = await issue()
    const second = await issue()
    expect(first.expiresIn).toBe(2_592_000)
    const a = accessTokens.guests.get(first.cartToken)!
    const b = accessTokens.guests.get(second.cartToken)!
    expect(a).toEqual({ userId: expect.stringMatching(/^guest_[0-9a-f-]{36}$/), roles: ['guest'] })
    expect(a).not.toHaveProperty('sessionId')
    // Each guest is someone else: their carts can never be the same.
    expect(b.userId).not.toBe(a.userId)
  })
})
