import { decodeProtectedHeader } from 'jose'
import { createMemoryRevocationList } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { createAccessTokenVerifier, createJoseAccessTokens } from './jose-access-tokens.js'
import { createJoseVerificationTokens } from './jose-verification-tokens.js'
import { generatePrivateJwk, loadKeyRing } from './signing-keys.js'

const start = new Date('2030-01-01T00:00:00Z')

async function setup(keys?: object[]) {
  let now = start
  const ring = await loadKeyRing({
    keys: JSON.stringify(keys ?? [await generatePrivateJwk('k1')]),
  })
  const common = { keys: ring, issuer: 'emporium-users', audience: 'emporium', now: () => now }
  return {
    links: createJoseVerificationTokens({ ...common, ttlSeconds: 86_400 }),
    access: createJoseAccessTokens({ ...common, ttlSeconds: 900 }),
    verifier: createAccessTokenVerifier({
      ...common,
      revocations: createMemoryRevocationList(),
    }),
    setNow: (d: Date) => void (now = d),
  }
}

const ada = { userId: 'u-1', email: 'ada@example.com' }

describe('jose verification tokens', () => {
  it('signs a link token of its own type that names the account and address, for 24 h', async () => {
    const { links, setNow } = await setup()
    const { token, expiresAt } = await links.issue(ada)
    expect(decodeProtectedHeader(token).typ).toBe('email-verification+jwt')
    expect(expiresAt).toEqual(new Date(start.getTime() + 86_400_000))
    expect(await links.check(token)).toEqual({ ok: true, ...ada })
    setNow(new Date(start.getTime() + 86_401_000))
    expect(await links.check(token)).toEqual({ ok: false, reason: 'expired' })
  })

  it('refuses an altered token, an access token, and one signed by another key', async () => {
    const { links, access, verifier } = await setup()
    const { token } = await links.issue(ada)
    const [h, p, s] = token.split('.')
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString())
    const altered = Buffer.from(JSON.stringify({ ...payload, email: 'eve@example.com' }))
    expect(await links.check(`${h}.${altered.toString('base64url')}.${s}`)).toEqual({
      ok: false,
      reason: 'invalid',
    })
    const accessToken = (await access.issue({ userId: 'u-1', roles: ['customer'] })).token
    expect(await links.check(accessToken)).toEqual({ ok: false, reason: 'invalid' })
    // Nor does a link pass for an access token.
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'AUTH.INVALID_TOKEN' })
    const other = await setup([await generatePrivateJwk('k1')])
    expect(await other.links.check(token)).toEqual({ ok: false, reason: 'invalid' })
  })
})
