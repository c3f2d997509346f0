import {
  createPrivateKey,
  generateKeyPairSync,
  randomUUID,
  sign as signBytes,
  type KeyObject,
} from 'node:crypto'
import { createLocalJwtVerifier, type JwtVerifier } from '../auth/jwt-verifier.js'

/** What the users service puts in `iss` and `aud` by default. */
export const testIssuer = 'emporium-users'
export const testAudience = 'emporium'

export interface TestTokenOptions {
  /** The subject (user id); a random one when absent. */
  sub?: string
  roles?: string[]
  /** Seconds until it expires (negative: already expired); default 300. */
  expiresIn?: number
  /** Sign with another key (e.g. `foreignKey`) to get a token the verifier refuses. */
  key?: KeyObject
}

export interface TestTokens {
  /** Trusts only the public half of this key (no JWKS server needed). */
  verifier: JwtVerifier
  /** A compact access token. */
  sign(options?: TestTokenOptions): string
  /** `Bearer <token>` for `userId` with `roles` (default customer). */
  bearer(userId: string, roles?: string[]): string
  /** A key the verifier does not know. */
  foreignKey: KeyObject
}

/**
 * A local Ed25519 key that signs test access tokens the way the users service does, and a
 * verifier that trusts only its public half: every service's tests share it.
 */
export function createTestTokens(): TestTokens {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'EdDSA', use: 'sig' }
  const foreign = generateKeyPairSync('ed25519').privateKey
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const sign = (options: TestTokenOptions = {}) => {
    const now = Math.floor(Date.now() / 1000)
    const header = encode({ alg: 'EdDSA', kid: 'test-key', typ: 'JWT' })
    const payload = encode({
      sub: options.sub ?? randomUUID(),
      roles: options.roles ?? ['customer'],
      jti: randomUUID(),
      iss: testIssuer,
      aud: testAudience,
      iat: now,
      exp: now + (options.expiresIn ?? 300),
    })
    const signature = signBytes(
      null,
      Buffer.from(`${header}.${payload}`),
      options.key ?? privateKey,
    )
    return `${header}.${payload}.${signature.toString('base64url')}`
  }
  return {
    verifier: createLocalJwtVerifier([jwk], { issuer: testIssuer, audience: testAudience }),
    foreignKey: createPrivateKey(foreign.export({ format: 'pem', type: 'pkcs8' })),
    sign,
    bearer: (userId, roles) => `Bearer ${sign({ sub: userId, roles })}`,
  }
}
