import type { KeyObject } from 'node:crypto'
import type { JwtVerifier } from '@emporium/platform'
import { createTestTokens as createShared } from '@emporium/platform/testing'

/** The platform's test tokens, as this suite calls them: `token(roles, options)`. */
export function createTestTokens(): {
  verifier: JwtVerifier
  token(roles: string[], options?: { expiresIn?: number; key?: KeyObject }): string
  foreignKey: KeyObject
} {
  const shared = createShared()
  return {
    verifier: shared.verifier,
    foreignKey: shared.foreignKey,
    token: (roles, options = {}) => shared.sign({ roles, ...options }),
  }
}
