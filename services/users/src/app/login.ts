import { AppError } from '@emporium/platform/app'
import type { users } from '@emporium/contracts'
import { normalizeEmail } from '../domain/email.js'
import type { PasswordHasher, Store } from './ports.js'
import { issueTokens, storeRefreshToken, toUser, type SessionDeps } from './session.js'

export interface LoginDeps extends SessionDeps {
  store: Store
  hasher: PasswordHasher
}

/** One error for an unknown e-mail and a wrong password, so neither can be told apart. */
export const invalidCredentials = () =>
  new AppError('unauthorized', 'USERS.INVALID_CREDENTIALS', 'The e-mail or password is wrong.')

/**
 * Checks an e-mail and password and opens a session (a new refresh token family). An unknown
 * e-mail verifies the password against a dummy hash of the same cost, so that it takes as long
 * as a wrong password. Login never grants `admin`, not even to a verified ADMIN_EMAILS address:
 * whoever registered that address first may hold the password, and the owner verifying the
 * mailbox must not hand the account to them (pre-hijacking). ADMIN_EMAILS is granted when the
 * address is verified by its own signed-in account, or later by `npm run admin -- grant`.
 */
export function createLogin(deps: LoginDeps) {
  let dummy: Promise<string> | undefined
  // Made once, lazily, with the hasher's own parameters: its cost matches the real hashes'.
  const dummyHash = () => (dummy ??= deps.hasher.hash('not a password of anyone'))

  return async function login(input: users.LoginBody): Promise<users.AuthResponse> {
    const found = await deps.store.users.findByEmail(normalizeEmail(input.email))
    if (!found) {
      await deps.hasher.verify(await dummyHash(), input.password)
      throw invalidCredentials()
    }
    if (!(await deps.hasher.verify(found.passwordHash, input.password))) throw invalidCredentials()
    const user = found
    const session = await deps.store.transaction((tx) => storeRefreshToken(tx, deps, user.id))
    return { user: toUser(user), ...(await issueTokens(deps, user, session)) }
  }
}
