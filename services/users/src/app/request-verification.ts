import { AppError } from '@emporium/platform/app'
import type { users } from '@emporium/contracts'
import type { Caller, Repositories, Store, UserRecord, VerificationTokens } from './ports.js'

export interface VerificationDeps {
  verificationTokens: VerificationTokens
  /** The storefront's base URL: the link is `<base>/verify-email#token=<token>`. */
  publicUrl: string
}

/**
 * Writes `user.verification-requested` with a new link in `tx`: the notifications service sends
 * it. The token travels in the fragment, which browsers never send to a server nor in a Referer.
 */
export async function requestVerification(
  tx: Repositories,
  deps: VerificationDeps,
  user: Pick<UserRecord, 'id' | 'email' | 'name'>,
): Promise<{ expiresAt: Date }> {
  const { token, expiresAt } = await deps.verificationTokens.issue({
    userId: user.id,
    email: user.email,
  })
  await tx.events.verificationRequested({
    userId: user.id,
    email: user.email,
    name: user.name,
    link: `${deps.publicUrl.replace(/\/+$/, '')}/verify-email#token=${token}`,
    expiresAt: expiresAt.toISOString(),
  })
  return { expiresAt }
}

export const alreadyVerified = () =>
  new AppError(
    'conflict',
    'USERS.EMAIL_ALREADY_VERIFIED',
    'This e-mail address is verified already.',
  )

/** `POST /auth/verify-email/resend`: a new link for the caller's unverified address. */
export function createResendVerification(deps: VerificationDeps & { store: Store }) {
  return async function resendVerification(caller: Caller): Promise<users.VerificationSent> {
    const user = await deps.store.users.findById(caller.userId)
    if (!user) {
      throw new AppError(
        'unauthorized',
        'USERS.UNKNOWN_ACCOUNT',
        'The account of this token does not exist.',
      )
    }
    if (user.emailVerifiedAt) throw alreadyVerified()
    const { expiresAt } = await deps.store.transaction((tx) => requestVerification(tx, deps, user))
    return { expiresAt: expiresAt.toISOString() }
  }
}
