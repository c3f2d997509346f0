import { AppError } from '../errors.js'

/**
 * Guests (issue 18): a shopper without an account gets a cart token from the users service
 * (`POST /api/v1/auth/guest`), an access token signed like any other whose `sub` is
 * `guest_<uuid>` and whose only role is `guest` (no `sid`: there is no session to sign out of).
 * Every service verifies it as it verifies any access token, so a guest is a caller with its own
 * id and every ownership rule holds for it; routes for accounts only refuse it (403).
 */
export const guestRole = 'guest'

/** The prefix of a guest's id (`sub`): no account id has it. */
export const guestIdPrefix = 'guest_'

/** Whether a verified token is a guest's: its roles are exactly `['guest']`. */
export function isGuest(token: { roles: readonly string[] }): boolean {
  return token.roles.length === 1 && token.roles[0] === guestRole
}

/** The 403 of a route for accounts only, called with a guest's token. */
export function guestNotAllowed(): AppError {
  return new AppError(
    'forbidden',
    'AUTH.GUEST_NOT_ALLOWED',
    'This needs an account: a guest (cart) token cannot do it. Sign in or register.',
  )
}
