import { describe, expect, it } from 'vitest'
import { checkPassword, judgePassword, passwordPolicy } from './password-policy.js'

/** The 400 checkPassword throws, or undefined when the password passes. */
function refusal(password: string, userInputs: string[] = [], path?: string) {
  try {
    checkPassword(password, userInputs, path ? { path } : {})
    return undefined
  } catch (error) {
    return error as { kind: string; code: string; message: string; details: unknown }
  }
}

describe('password policy', () => {
  it('wants 10 to 1024 characters, counted as code points', () => {
    expect(refusal('vq7#Lm2!z')).toMatchObject({
      kind: 'invalid',
      code: 'USERS.WEAK_PASSWORD',
      message: expect.stringContaining('at least 10 characters'),
    })
    expect(refusal('vq7#Lm2!zR')).toBeUndefined()
    // Ten code points (twenty UTF-16 units) of an unusual mix are enough.
    expect(refusal('🦊🌵🎻🧭🪁🍋🛶🧩🦉🎈')).toBeUndefined()
    const long = 'orbit lantern kettle ' + 'x9'.repeat(600)
    expect(refusal(long.slice(0, passwordPolicy.maxLength))).toBeUndefined()
    expect(refusal(long.slice(0, passwordPolicy.maxLength + 1))?.message).toMatch(/at most 1024/)
  })

  it.each([
    ['a top common password', 'password123', /commonly used password/],
    ['a frequent one', 'qwertyuiop', /frequently used password/],
    ['digits in a row', '1234567890', /frequently used password/],
    ['one repeated character', 'aaaaaaaaaaaa', /Repeated character/],
    ['a repeated pattern', 'abcabcabcabc', /Repeated character patterns/],
    ['a sequence', 'abcdefghij', /character sequences/],
    ['a keyboard pattern', 'qazwsxedcrfv', /keyboard|frequently|common/i],
    ['l33t of a common one', 'P@ssw0rd2024', /similar to a commonly used password/],
    ['few distinct characters, however long', '1'.repeat(1000), /Repeated character/],
  ])('refuses %s and says why', (_, password, reason) => {
    const error = refusal(password)
    expect(error).toMatchObject({
      kind: 'invalid',
      code: 'USERS.WEAK_PASSWORD',
      details: { errors: [{ path: '/body/password', message: expect.stringMatching(reason) }] },
    })
    expect(error?.message).toMatch(reason)
  })

  it("refuses passwords built from the account's own e-mail and name", () => {
    const ada = ['ada.lovelace@example.com', 'Ada Lovelace']
    // Strong enough for a stranger, guessable for this account.
    expect(judgePassword('lovelace1815!')).toMatchObject({ ok: true })
    expect(refusal('lovelace1815!', ada)?.message).toMatch(/personal or page related data/)
    expect(refusal('ada.lovelace@example.com', ada)?.message).toMatch(/personal/)
    expect(refusal('adaadaada1', ['ada@example.com', 'Ada'])).toMatchObject({
      code: 'USERS.WEAK_PASSWORD',
    })
  })

  it('accepts passphrases and random strings', () => {
    for (const password of [
      'correct horse battery staple',
      'kettle-orbit-lantern-42',
      'Tr0ub4dor&3xx',
      'vq7#Lm2!zR9p',
    ]) {
      expect(judgePassword(password, ['ada@example.com', 'Ada']), password).toMatchObject({
        ok: true,
        score: expect.any(Number),
      })
    }
  })

  it('names the field a caller asks for (a change of password)', () => {
    expect(refusal('password123', [], '/body/newPassword')).toMatchObject({
      details: { errors: [{ path: '/body/newPassword' }] },
    })
  })
})
