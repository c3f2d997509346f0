import { AppError } from '@emporium/platform/errors'

export const nameMaxLength = 100

/** A display name trimmed, 1 to 100 characters, or a 400 naming the field. */
export function parseName(raw: string): string {
  const name = raw.trim()
  const length = [...name].length
  if (length < 1 || length > nameMaxLength) {
    throw new AppError('invalid', 'USERS.INVALID_NAME', 'The name is not valid.', {
      details: {
        errors: [{ path: '/body/name', message: `must be 1 to ${nameMaxLength} characters` }],
      },
    })
  }
  return name
}
