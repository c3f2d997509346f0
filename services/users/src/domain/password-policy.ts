import { AppError } from '@emporium/platform/errors'
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core'
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common'
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en'

/**
 * What a password must be (NIST SP 800-63B §3.1.1.2): at least 10 characters, at most 1024 (the
 * maximum bounds the cost of hashing whatever a client sends; the contract `RegisterBody` states
 * the same numbers so that the 400 comes from validation), and not guessable: zxcvbn's estimate
 * against the common-password list, English words and names, keyboard patterns, repeats,
 * sequences, dates and the user's own data must reach `minScore` (3: about 10^8 guesses, "safely
 * unguessable" against an online attack). No composition rules, as NIST asks.
 */
export const passwordPolicy = {
  minLength: 10,
  maxLength: 1024,
  minScore: 3,
  /**
   * zxcvbn's matching grows steeply with length on repetitive input (a second on a busy core
   * for 256 `1`s): only this many leading characters are estimated. A password this long whose
   * start is strong is strong.
   */
  analysedLength: 64,
} as const

/** The verdict on a password; `reason` and `suggestions` are zxcvbn's, in English. */
export type PasswordVerdict =
  { ok: true; score: number } | { ok: false; score: number; reason: string; suggestions: string[] }

let estimator: ZxcvbnFactory | undefined

/**
 * Builds zxcvbn with its dictionaries (≈ 0.3 s and ≈ 25 MB of heap, once per process). Called by
 * the users service at start; otherwise the first check pays it.
 */
export function loadPasswordDictionaries(): void {
  estimator ??= new ZxcvbnFactory({
    translations,
    graphs: adjacencyGraphs,
    dictionary: { ...commonDictionary, ...englishDictionary },
    maxLength: passwordPolicy.analysedLength,
    // Each substitutable character doubles the l33t matcher's work; ten finds the usual ones.
    l33tMaxSubstitutions: 10,
  })
}

/**
 * Judges a new password. `userInputs` are what an attacker would try first for this account:
 * its e-mail and name (split into words here), so `ada.lovelace@…` cannot choose `lovelace1815`.
 */
export function judgePassword(
  password: string,
  userInputs: readonly string[] = [],
): PasswordVerdict {
  // Code points, as JSON Schema's minLength counts them.
  const length = [...password].length
  if (length < passwordPolicy.minLength) {
    return refused(0, `It must be at least ${passwordPolicy.minLength} characters long.`)
  }
  if (length > passwordPolicy.maxLength) {
    return refused(0, `It must be at most ${passwordPolicy.maxLength} characters long.`)
  }
  // Few distinct characters is a repeat whatever zxcvbn says, and the input its matching is
  // slowest on: decided without it.
  const distinct = new Set(password).size
  if (distinct < 4) {
    const warning = distinct === 1 ? 'simpleRepeat' : 'extendedRepeat'
    return refused(0, translations.warnings[warning], [translations.suggestions.repeated])
  }
  loadPasswordDictionaries()
  const result = estimator!.check(password, contextWords(userInputs))
  if (result.score >= passwordPolicy.minScore) return { ok: true, score: result.score }
  return refused(result.score, reasonOf(result), result.feedback.suggestions)
}

/**
 * Throws a 400 `USERS.WEAK_PASSWORD` naming the field (`path`, a JSON pointer into the request:
 * `/body/password` by default) and saying why, when a new password breaks the policy.
 */
export function checkPassword(
  password: string,
  userInputs: readonly string[] = [],
  options: { path?: string } = {},
): void {
  const verdict = judgePassword(password, userInputs)
  if (verdict.ok) return
  const message = [verdict.reason, ...verdict.suggestions].join(' ')
  throw new AppError('invalid', 'USERS.WEAK_PASSWORD', `The password is too weak: ${message}`, {
    details: { errors: [{ path: options.path ?? '/body/password', message }] },
  })
}

function refused(score: number, reason: string, suggestions: string[] = []): PasswordVerdict {
  return { ok: false, score, reason, suggestions }
}

function reasonOf(result: ZxcvbnResult): string {
  if (result.feedback.warning) return result.feedback.warning
  return 'It would be guessed too easily: it is short or made of common words and patterns.'
}

/** The inputs whole and cut into words (`ada.lovelace+shop@example.com` → ada, lovelace, …). */
function contextWords(inputs: readonly string[]): string[] {
  const words = new Set<string>()
  for (const input of inputs) {
    const value = input.normalize('NFKC').trim().toLowerCase()
    if (!value) continue
    words.add(value)
    const local = value.includes('@') ? value.slice(0, value.lastIndexOf('@')) : value
    words.add(local)
    for (const word of local.split(/[^\p{L}\p{N}]+/u)) if (word.length >= 3) words.add(word)
    for (const word of local.split(/[^\p{L}]+/u)) if (word.length >= 3) words.add(word)
  }
  return [...words]
}
