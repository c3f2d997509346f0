import { createFakes } from './fakes-test-support.js'
import { createLogin } from './login.js'
import { createRegister } from './register.js'
import { createRequestPasswordReset } from './request-password-reset.js'
import { createResetPassword } from './reset-password.js'

// Test support of the password reset's two use cases: an account registered and signed in
// twice over the fakes, with the request and the confirmation wired to them.

/** An account with two sessions, and the password reset's request and confirmation. */
export async function setup() {
  const fakes = createFakes()
  const deps = { ...fakes.session, store: fakes.store, hasher: fakes.hasher.hasher }
  const credentials = { email: 'hal@example.com', password: 'correct horse' }
  const first = await createRegister(deps)({ ...credentials, name: 'Hal' })
  const second = await createLogin(deps)(credentials)
  const request = createRequestPasswordReset({
    store: fakes.store,
    publicUrl: 'https://shop.example/',
    resetTtlSeconds: 3600,
    now: fakes.clock.now,
  })
  const reset = createResetPassword(deps)
  const identityOf = (accessToken: string) => fakes.accessTokens.issued.get(accessToken)!
  /** The token of the newest link mailed. */
  const lastToken = () => fakes.resetEvents().at(-1)!.resetUrl.split('#token=')[1]!
  return { ...fakes, request, reset, first, second, identityOf, lastToken }
}

/** The answer to a token that is unknown, used or expired. */
export const invalid = { kind: 'invalid', code: 'USERS.RESET_TOKEN_INVALID' }
