import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { generatePrivateJwk, loadKeyRing } from './signing-keys.js'

const folders: string[] = []
async function folder() {
  const dir = await mkdtemp(join(tmpdir(), 'users-keys-'))
  folders.push(dir)
  return dir
}
afterAll(() => Promise.all(folders.map((f) => rm(f, { recursive: true, force: true }))))

describe('signing keys', () => {
  it('generates the key file once (mode 0600) and reloads the same key after a restart', async () => {
    const file = join(await folder(), 'nested', 'signing-keys.json')
    const first = await loadKeyRing({ file })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(first.warnings).toEqual([])
    const second = await loadKeyRing({ file })
    expect(second.signing.kid).toBe(first.signing.kid)
    expect(second.jwks).toEqual(first.jwks)
    expect(first.signing.alg).toBe('EdDSA')
  })

  it('two processes creating the file at once end up with the same key', async () => {
    const file = join(await folder(), 'keys.json')
    const rings = await Promise.all([loadKeyRing({ file }), loadKeyRing({ file })])
    expect(rings[0].signing.kid).toBe(rings[1].signing.kid)
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveLength(1)
  })

  it('warns when the key file is readable by others', async () => {
    const file = join(await folder(), 'keys.json')
    await writeFile(file, JSON.stringify([await generatePrivateJwk('k1')]), { mode: 0o644 })
    const ring = await loadKeyRing({ file })
    expect(ring.warnings).toEqual([expect.stringMatching(/readable by others.*chmod 600/)])
  })

  it('publishes only public members of every key, the signing (first) key first', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const ec = { ...(await exportJWK(privateKey)), kid: 'ec-1' }
    const ring = await loadKeyRing({
      keys: JSON.stringify([await generatePrivateJwk('new'), ec]),
      file: '/nonexistent/ignored.json',
    })
    expect(ring.signing.kid).toBe('new')
    expect(ring.algorithms).toEqual(['EdDSA', 'ES256'])
    expect(ring.jwks.keys.map((k) => [k.kid, k.alg, k.use])).toEqual([
      ['new', 'EdDSA', 'sig'],
      ['ec-1', 'ES256', 'sig'],
    ])
    for (const key of ring.jwks.keys) {
      expect(Object.keys(key).sort()).toEqual(
        key.kty === 'EC'
          ? ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']
          : ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
      )
    }
  })

  it.each([
    ['no source', {}, /USERS_SIGNING_KEYS or USERS_SIGNING_KEY_FILE is required/],
    ['bad JSON', { keys: '{nope' }, /USERS_SIGNING_KEYS is not valid JSON/],
    ['an empty array', { keys: '[]' }, /USERS_SIGNING_KEYS must be a non-empty JSON array/],
    [
      'a public key',
      { keys: '[{"kty":"OKP","crv":"Ed25519","x":"abc","kid":"a"}]' },
      /\[0\] must be a private key/,
    ],
    [
      'an RSA key',
      { keys: '[{"kty":"RSA","n":"x","e":"AQAB","d":"y","kid":"a"}]' },
      /\[0\] must be an Ed25519/,
    ],
    [
      'garbage key material',
      { keys: '[{"kty":"OKP","crv":"Ed25519","x":"abc","d":"abc","kid":"a"}]' },
      /\[0\] is not a usable key/,
    ],
  ])('refuses %s with a ConfigError naming the variable', async (_, sources, message) => {
    await expect(loadKeyRing(sources)).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(message),
    })
  })

  it('refuses a key without kid, repeated kids, and a private part that does not match its public part', async () => {
    const a = await generatePrivateJwk('a')
    const b = await generatePrivateJwk('b')
    const { kid: _kid, ...noKid } = a
    await expect(loadKeyRing({ keys: JSON.stringify([noKid]) })).rejects.toThrow(/needs a "kid"/)
    await expect(loadKeyRing({ keys: JSON.stringify([a, a]) })).rejects.toThrow(/repeats the kid/)
    const mismatched = { ...a, x: b.x }
    await expect(loadKeyRing({ keys: JSON.stringify([mismatched]) })).rejects.toThrow(
      /USERS_SIGNING_KEYS\[0\] is not a usable key/,
    )
  })
})
