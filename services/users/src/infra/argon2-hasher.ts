import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2'
import type { PasswordHasher } from '../app/ports.js'

/** Algorithm.Argon2id: an ambient const enum, which isolatedModules cannot reference. */
const argon2id = 2 as Algorithm

/** Cost parameters of new hashes; verification reads them from each hash. */
export type Argon2Cost = Pick<Options, 'memoryCost' | 'timeCost' | 'parallelism'>

/**
 * argon2id through @node-rs/argon2, whose async functions run on libuv's thread pool, off the
 * event loop. Production uses the library's defaults (19 MiB, 2 passes, 1 lane: OWASP's
 * recommended minimum); `cost` exists for tests only, to keep suites that register many
 * accounts fast. It is not read from configuration, so it cannot be weakened in production.
 */
export function createArgon2Hasher(cost: Argon2Cost = {}): PasswordHasher {
  const options: Options = { ...cost, algorithm: argon2id }
  return {
    hash: (password) => hash(password, options),
    async verify(encoded, password) {
      try {
        return await verify(encoded, password)
      } catch {
        return false
      }
    },
  }
}
