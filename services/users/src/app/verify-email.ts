import { AppError } from '@emporium/platform/app'
import { isListedAdmin } from '../domain/roles.js'
import type { Caller, Store, VerificationTokens } from './ports.js'

export interface VerifyEmailDeps {
  store: Store
  verificationTokens: VerificationTokens
  /**
   * ADMIN_EMAILS: such an address gets `admin` when it is verified by a request signed in as
   * its own account (never by the link alone).
   */
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

/** A bearer of another account than the link's: nothing is changed. */
const forAnotherAccount = () =>
  new AppError(
    'forbidden',
    'USERS.VERIFICATION_FOR_ANOTHER_ACCOUNT',
    'This verification link is for another account. Sign out, or sign in as that account.',
  )

/**
 * Proves an address with the token of its link: signed by this service, unexpired, for the
 * account's current address, and single-use (once the address is verified every link of it is
 * spent). Anyone holding the link may verify the address, signed in or not.
 *
 * An ADMIN_EMAILS address gets `admin` only when `caller` is that same account: the link proves
 * the mailbox, the session proves the password. The link alone must not do it, or whoever
 * registered the owner's address first (with their own password) would become admin the moment
 * the real owner clicked the link mailed to them (account pre-hijacking). A caller signed in as
 * another account is refused (403) and nothing changes. The grant happens in the same
 * conditional update as the verification: of two concurrent uses one wins, the other is `used`.
 * An address verified without it gets admin from `npm run admin -- grant <email>`.
 */
export function createVerifyEmail(deps: VerifyEmailDeps) {
  return async function verifyEmail(token: string, caller?: Caller): Promise<void> {
    const checked = await deps.verificationTokens.check(token)
    if (!checked.ok) throw checked.reason === 'expired' ? expired() : invalid()
    if (caller && caller.userId !== checked.userId) throw forAnotherAccount()
    const user = await deps.store.users.findById(checked.userId)
    if (!user || user.email !== checked.email) throw invalid()
    if (user.emailVerifiedAt) throw used()
    const grantAdmin = caller !== undefined && isListedAdmin(user.email, deps.admins)
    const verified = await deps.store.transaction((tx) =>
      tx.users.markVerified(user.id, deps.now(), grantAdmin),
    )
    if (!verified) throw used()
  }
}
