import { randomUUID } from 'node:crypto'
import { AppError } from '@emporium/platform/app'
import type { users } from '@emporium/contracts'
import { parseEmail } from '../domain/email.js'
import { parseName } from '../domain/name.js'
import { checkPassword } from '../domain/password-policy.js'
import { rolesOf } from '../domain/roles.js'
import type { PasswordHasher, Store, UserRecord } from './ports.js'
import { requestVerification, type VerificationDeps } from './request-verification.js'
import { issueTokens, storeRefreshToken, toUser, type SessionDeps } from './session.js'

export interface RegisterDeps extends SessionDeps, VerificationDeps {
  store: Store
  hasher: PasswordHasher
}

const emailTaken = () =>
  new AppError('conflict', 'USERS.EMAIL_TAKEN', 'This e-mail address is already registered.')

/**
 * Creates an account and its first session. The account, its first refresh token,
 * `user.registered` and `user.verification-requested` (the link) commit in one transaction; a
 * duplicate e-mail (in any case, or registered concurrently) is a 409. Registration never grants
 * `admin`, not even to an ADMIN_EMAILS address: that waits for the address to be verified
 * by this same account signed in (see verify-email.ts).
 */
export function createRegister(deps: RegisterDeps) {
  return async function register(input: users.RegisterBody): Promise<users.AuthResponse> {
    const email = parseEmail(input.email)
    const name = parseName(input.name)
    checkPassword(input.password, [email, name])
    // Cheap check first, so a taken e-mail costs no hashing; the unique index decides races.
    if (await deps.store.users.findByEmail(email)) throw emailTaken()
    const passwordHash = await deps.hasher.hash(input.password)
    const now = deps.now()
    const user: UserRecord = {
      id: randomUUID(),
      email,
      name,
      passwordHash,
      emailVerifiedAt: null,
      isAdmin: false,
      createdAt: now,
      updatedAt: now,
    }
    const session = await deps.store.transaction(async (tx) => {
      if ((await tx.users.insert(user)) === 'email_taken') throw emailTaken()
      await tx.events.userRegistered({
        userId: user.id,
        email,
        name,
        roles: rolesOf(user),
        registeredAt: now.toISOString(),
      })
      await requestVerification(tx, deps, user)
      return storeRefreshToken(tx, deps, user.id)
    })
    return { user: toUser(user), ...(await issueTokens(deps, user, session)) }
  }
}
