import { AppError } from '../errors.js'
import type { JwtVerifier, VerifiedToken } from './jwt-verifier.js'
import { describe, expect, it } from 'vitest'
import { cachingVerifier } from './caching-verifier.js'

function fakeVerifier(expiresAtMs: number) {
  const calls: string[] = []
  const verifier: JwtVerifier = {
    async verify(token) {
      calls.push(token)
      if (token.startsWith('bad')) {
        throw new AppError('unauthorized', 'AUTH.INVALID_TOKEN', 'The access token is not valid.')
      }
      return {
        userId: `user-${token}`,
        roles: ['customer'],
        tokenId: token,
        expiresAt: new Date(expiresAtMs),
      } satisfies VerifiedToken
    },
  }
  return { verifier, calls }
}

describe('caching verifier', () => {
  it('verifies a token once and answers again from memory until it expires', async () => {
    let clock = 1_000
    const { verifier, calls } = fakeVerifier(61_000)
    const cached = cachingVerifier(verifier, { now: () => clock })
    const first = await cached.verify('a')
    expect(await cached.verify('a')).toEqual(first)
    expect(calls).toEqual(['a'])
    await cached.verify('b')
    expect(calls).toEqual(['a', 'b'])
    clock = 61_000 // expired: asks the verifier again (which decides, e.g. AUTH.TOKEN_EXPIRED)
    await cached.verify('a')
    expect(calls).toEqual(['a', 'b', 'a'])
  })

  it('never remembers a refusal', async () => {
    const { verifier, calls } = fakeVerifier(61_000)
    const cached = cachingVerifier(verifier, { now: () => 0 })
    await expect(cached.verify('bad-1')).rejects.toMatchObject({ code: 'AUTH.INVALID_TOKEN' })
    await expect(cached.verify('bad-1')).rejects.toMatchObject({ code: 'AUTH.INVALID_TOKEN' })
    expect(calls).toEqual(['bad-1', 'bad-1'])
  })

  it('does not keep a token that is already past its expiry', async () => {
    const { verifier, calls } = fakeVerifier(500)
    const cached = cachingVerifier(verifier, { now: () => 1_000 })
    await cached.verify('a')
    await cached.verify('a')
    expect(calls).toEqual(['a', 'a'])
  })

  it('holds at most maxEntries tokens, dropping the oldest', async () => {
    const { verifier, calls } = fakeVerifier(61_000)
    const cached = cachingVerifier(verifier, { now: () => 0, maxEntries: 2 })
    for (const token of ['a', 'b', 'c']) await cached.verify(token)
    await cached.verify('c')
    await cached.verify('b')
    expect(calls).toEqual(['a', 'b', 'c'])
    await cached.verify('a') // dropped when c came
    expect(calls).toEqual(['a', 'b', 'c', 'a'])
  })
})
