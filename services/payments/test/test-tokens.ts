import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { createLocalJwtVerifier, type JwtVerifier } from '@emporium/platform'

/**
 * A local Ed25519 key signing access tokens as the users service does, and a verifier that
 * trusts only its public half (no JWKS server needed).
 */
export function createTestTokens(): {
  verifier: JwtVerifier
  /** A bearer header for `userId` with `roles`. */
  bearer(userId: string, roles?: string[]): string
} {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'EdDSA', use: 'sig' }
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return {
    verifier: createLocalJwtVerifier([jwk], { issuer: 'emporium-users', audience: 'emporium' }),
    bearer(userId, roles = ['customer']) {
      const now = Math.floor(Date.now() / 1000)
      const header = encode({ alg: 'EdDSA', kid: 'test-key', typ: 'JWT' })
      const payload = encode({
        sub: userId,
        roles,
        jti: randomUUID(),
        iss: 'emporium-users',
        aud: 'emporium',
        iat: now,
        exp: now + 600,
      })
      const signature = sign(null, Buffer.from(`${header}.${payload}`), privateKey)
      return `Bearer ${header}.${payload}.${signature.toString('base64url')}`
    },
  }
}
