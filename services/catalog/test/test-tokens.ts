import {
  createPrivateKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto'
import { createLocalJwtVerifier, type JwtVerifier } from '@emporium/platform'

export const issuer = 'emporium-users'
export const audience = 'emporium'

/**
 * A local Ed25519 key that signs test access tokens the way the users service does, and a
 * verifier that trusts only its public half (no JWKS server needed).
 */
export function createTestTokens(): {
  verifier: JwtVerifier
  token(roles: string[], options?: { expiresIn?: number; key?: KeyObject }): string
  foreignKey: KeyObject
} {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'EdDSA', use: 'sig' }
  const foreign = generateKeyPairSync('ed25519').privateKey
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return {
    verifier: createLocalJwtVerifier([jwk], { issuer, audience }),
    foreignKey: createPrivateKey(foreign.export({ format: 'pem', type: 'pkcs8' })),
    token(roles, options = {}) {
      const now = Math.floor(Date.now() / 1000)
      const header = encode({ alg: 'EdDSA', kid: 'test-key', typ: 'JWT' })
      const payload = encode({
        sub: randomUUID(),
        roles,
        jti: randomUUID(),
        iss: issuer,
        aud: audience,
        iat: now,
        exp: now + (options.expiresIn ?? 300),
      })
      const signature = sign(null, Buffer.from(`${header}.${payload}`), options.key ?? privateKey)
      return `${header}.${payload}.${signature.toString('base64url')}`
    },
  }
}
