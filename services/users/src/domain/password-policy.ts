import { AppError } from '@emporium/platform'

/**
 * What a password must be. The maximum bounds the cost of hashing whatever a client sends; the
 * contract (`RegisterBody`) states the same numbers so that the 400 comes from validation.
 */
export const passwordPolicy = { minLength: 10, maxLength: 1024 } as const

/** Throws a 400 naming the field when a new password breaks the policy. */
export function checkPassword(password: string): void {
  // Code points, as JSON Schema's minLength counts them.
  const length = [...password].length
  if (length < passwordPolicy.minLength) {
    throw weak(`must be at least ${passwordPolicy.minLength} characters`)
  }
  if (length > passwordPolicy.maxLength) {
    throw weak(`must be at most ${passwordPolicy.maxLength} characters`)
  }
}

function weak(message: string): AppError {
  return new AppError('invalid', 'USERS.WEAK_PASSWORD', `The password ${message}.`, {
    details: { errors: [{ path: '/body/password', message }] },
  })
}
