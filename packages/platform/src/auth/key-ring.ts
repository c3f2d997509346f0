import { randomUUID } from 'node:crypto'
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose'
import { ConfigError } from '../config.js'

export type SigningAlgorithm = 'EdDSA' | 'ES256'

/** A public signing key as published in a JWKS (never with private members). */
export interface PublicSigningJwk {
  kty: string
  crv: string
  x: string
  y?: string
  kid: string
  alg: string
  use: 'sig'
}

export interface SigningKey {
  kid: string
  alg: SigningAlgorithm
  privateKey: CryptoKey
  publicKey: CryptoKey
  publicJwk: PublicSigningJwk
}

/** The keys of a service: the first signs, every one verifies (rotation). */
export interface KeyRing {
  signing: SigningKey
  byKid: ReadonlyMap<string, SigningKey>
  /** The JWS algorithms of the keys: the verification allow-list (never `none`). */
  algorithms: SigningAlgorithm[]
  /** Public keys only, for a JWKS document. */
  jwks: { keys: PublicSigningJwk[] }
  /** Things an operator should fix that do not stop the service. */
  warnings: string[]
}

export interface KeySources {
  /** A JSON array of private JWKs (e.g. USERS_SIGNING_KEYS). Wins over `file`. */
  keys?: string
  /** A file holding the same; generated with one Ed25519 key if absent (e.g. USERS_SIGNING_KEY_FILE). */
  file?: string
  /** The variables the two come from, for messages: e.g. `USERS_SIGNING_KEYS`. */
  keysVariable: string
  fileVariable: string
}

/**
 * Reads the private JWKs, generating the key file on first use, and checks each one (without
 * importing it). Throws a ConfigError naming the variable (or file) when no source is given or a
 * key is malformed.
 */
export async function readPrivateJwks(
  sources: KeySources,
): Promise<{ jwks: JWK[]; source: string; warnings: string[] }> {
  const warnings: string[] = []
  let text: string
  let source: string
  if (sources.keys) {
    source = sources.keysVariable
    text = sources.keys
  } else if (sources.file) {
    source = `${sources.fileVariable} (${sources.file})`
    text = await readOrCreateKeyFile(sources.file, source)
    const mode = (await stat(sources.file)).mode & 0o777
    if (mode & 0o077) {
      warnings.push(`${source} is readable by others (mode ${mode.toString(8)}): chmod 600 it`)
    }
  } else {
    throw new ConfigError([`${sources.keysVariable} or ${sources.fileVariable} is required`])
  }
  const problems = privateJwkProblems(source, text)
  if (problems.length > 0) throw new ConfigError(problems)
  return { jwks: JSON.parse(text) as JWK[], source, warnings }
}

/**
 * Loads the signing keys, generating the key file on first use. Throws a ConfigError naming the
 * variable (or file) when no source is given or a key cannot be used.
 */
export async function loadKeyRing(sources: KeySources): Promise<KeyRing> {
  const { jwks, source, warnings } = await readPrivateJwks(sources)
  const keys = await Promise.all(jwks.map((jwk, i) => importSigningKey(jwk, `${source}[${i}]`)))
  return {
    signing: keys[0]!,
    byKid: new Map(keys.map((k) => [k.kid, k])),
    algorithms: [...new Set(keys.map((k) => k.alg))],
    jwks: { keys: keys.map((k) => k.publicJwk) },
    warnings,
  }
}

/** A new Ed25519 private JWK with a random `kid`, as the key file holds them. */
export async function generatePrivateJwk(kid: string = randomUUID()): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA', use: 'sig' }
}

/** Problems of a JSON array of private JWKs, each naming `source`. */
export function privateJwkProblems(source: string, text: string): string[] {
  let keys: unknown
  try {
    keys = JSON.parse(text)
  } catch {
    return [`${source} is not valid JSON (want an array of private JWKs)`]
  }
  if (!Array.isArray(keys) || keys.length === 0) {
    return [`${source} must be a non-empty JSON array of private JWKs`]
  }
  const problems: string[] = []
  const kids = new Set<string>()
  keys.forEach((key: unknown, i) => {
    const where = `${source}[${i}]`
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      return problems.push(`${where} must be a JWK object`)
    }
    const k = key as Record<string, unknown>
    if (algorithmOf(k) === undefined) {
      return problems.push(`${where} must be an Ed25519 (kty OKP) or P-256 (kty EC) key`)
    }
    if (typeof k.d !== 'string' || typeof k.x !== 'string' || (k.kty === 'EC' && !k.y)) {
      return problems.push(`${where} must be a private key (with "d")`)
    }
    if (typeof k.kid !== 'string' || k.kid === '') return problems.push(`${where} needs a "kid"`)
    if (kids.has(k.kid)) return problems.push(`${where} repeats the kid ${JSON.stringify(k.kid)}`)
    kids.add(k.kid)
  })
  return problems
}

function algorithmOf(jwk: Record<string, unknown>): SigningAlgorithm | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256'
  return undefined
}

export async function importSigningKey(jwk: JWK, where: string): Promise<SigningKey> {
  const alg = algorithmOf(jwk as Record<string, unknown>)!
  if (jwk.alg !== undefined && jwk.alg !== alg && !(alg === 'EdDSA' && jwk.alg === 'Ed25519')) {
    throw new ConfigError([`${where} says alg ${jwk.alg} but is a key for ${alg}`])
  }
  // Only the public members, by name: whatever else the private JWK holds never leaves.
  const publicJwk: PublicSigningJwk = {
    kty: jwk.kty!,
    crv: jwk.crv!,
    x: jwk.x!,
    ...(jwk.y ? { y: jwk.y } : {}),
    kid: jwk.kid!,
    alg,
    use: 'sig',
  }
  try {
    const privateKey = (await importJWK({ ...jwk, alg }, alg)) as CryptoKey
    const publicKey = (await importJWK({ ...publicJwk }, alg)) as CryptoKey
    await checkPair(privateKey, publicKey, alg)
    return { kid: jwk.kid!, alg, privateKey, publicKey, publicJwk }
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError([`${where} is not a usable key: ${reason}`])
  }
}

/** A private key whose public half does not match would sign tokens nobody can verify. */
async function checkPair(privateKey: CryptoKey, publicKey: CryptoKey, alg: SigningAlgorithm) {
  const params = alg === 'EdDSA' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' }
  const data = new TextEncoder().encode('emporium key check')
  const signature = await crypto.subtle.sign(params, privateKey, data)
  if (!(await crypto.subtle.verify(params, publicKey, signature, data))) {
    throw new Error('its public part ("x"/"y") does not match its private part ("d")')
  }
}

/**
 * Reads the key file, or creates it with one new key, readable by the owner only. The file
 * appears complete or not at all (written aside, then hard-linked into place), and of two
 * processes creating it at once the second reads the first's.
 */
async function readOrCreateKeyFile(path: string, source: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError([`${source} cannot be read: ${(error as Error).message}`])
    }
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const temporary = `${path}.${randomUUID()}.tmp`
  await writeFile(temporary, `${JSON.stringify([await generatePrivateJwk()], null, 2)}\n`, {
    mode: 0o600,
    flag: 'wx',
  })
  try {
    await link(temporary, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await unlink(temporary)
  }
  return readFile(path, 'utf8')
}
