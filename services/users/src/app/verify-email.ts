import { AppError } from '@emporium/platform'
import { isListedAdmin } from '../domain/roles.js'
import type { Store, VerificationTokens } from './ports.js'

export interface VerifyEmailDeps {
  store: Store
  verificationTokens: VerificationTokens
  /** ADMIN_EMAILS: such an address gets `admin` when it is verified. */
  admins: ReadonlySet<string>
  now: () => Date
}

const invalid = () =>
  new AppError(
    'invalid',
    'USERS.INVALID_VERIFICATION_TOKEN',
    'This verification link is not valid. Ask for a new one.',
  )
const expired = () =>
  new AppError(
    'gone',
    'USERS.VERIFICATION_TOKEN_EXPIRED',
    'This verification link has expired. Ask for a new one.',
  )
const used = () =>
  new AppError(
    'gone',
    'USERS.VERIFICATION_TOKEN_USED',
    'This verification link has been used already.',
  )

/**
 * Proves an address with the token of its link: signed by this service, unexpired, for the
 * account's current address, and single-use (once the address is verified every link of it is
 * spent). An ADMIN_EMAILS address gets `admin` in the same conditional update: of two
 * concurrent uses one wins, the other is `used`.
 */
export function createVerifyEmail(deps: VerifyEmailDeps) {
  return async function verifyEmail(token: string): Promise<void> {
    const checked = await deps.verificationTokens.check(token)
    if (!checked.ok) throw checked.reason === 'expired' ? expired() : invalid()
    const user = await deps.store.users.findById(checked.userId)
    if (!user || user.email !== checked.email) throw invalid()
    if (user.emailVerifiedAt) throw used()
    const grantAdmin = isListedAdmin(user.email, deps.admins)
    const verified = await deps.store.transaction((tx) =>
      tx.users.markVerified(user.id, deps.now(), grantAdmin),
    )
    if (!verified) throw used()
  }
}
