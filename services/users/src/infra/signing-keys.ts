import {
  loadKeyRing as loadPlatformKeyRing,
  type KeyRing,
  type SigningAlgorithm,
  type SigningKey,
} from '@emporium/platform'

// The key handling is the platform's (services sign their own service credentials with it too).
export { generatePrivateJwk, privateJwkProblems } from '@emporium/platform'
export type { KeyRing, SigningAlgorithm, SigningKey }

export interface KeySources {
  /** A JSON array of private JWKs (USERS_SIGNING_KEYS). Wins over `file`. */
  keys?: string
  /** A file holding the same; generated with one Ed25519 key if absent (USERS_SIGNING_KEY_FILE). */
  file?: string
}

/**
 * Loads the signing keys, generating the key file on first use. Throws a ConfigError naming the
 * variable (or file) when no source is given or a key cannot be used.
 */
export function loadKeyRing(sources: KeySources): Promise<KeyRing> {
  return loadPlatformKeyRing({
    ...sources,
    keysVariable: 'USERS_SIGNING_KEYS',
    fileVariable: 'USERS_SIGNING_KEY_FILE',
  })
}
