import { EmporiumProblem, type AuthResponse } from '@emporium/sdk'
import { useEffect, useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { startSession } from '../api/session'
import { acceptInvitation } from '../api/staff'
import { ErrorMessage, useTitle } from '../components/ui'
import { Link, navigate } from '../lib/router'

/** The invitation's token: in the fragment (`#token=`), or the query of an older link. */
function readToken(): string | null {
  const found =
    new URLSearchParams(location.hash.slice(1)).get('token') ??
    new URLSearchParams(location.search).get('token')
  // Dropped from the address bar and the history once read, as the password reset's is.
  if (found) history.replaceState(history.state, '', location.pathname)
  return found
}

/** The e-mail to sign in with, from whatever shape the accept answered. */
function emailOf(answer: unknown): string | undefined {
  const value = answer as { email?: unknown; user?: { email?: unknown } } | undefined
  const email = value?.email ?? value?.user?.email
  return typeof email === 'string' ? email : undefined
}

const isAuth = (answer: unknown): answer is AuthResponse =>
  typeof (answer as { accessToken?: unknown } | undefined)?.accessToken === 'string'

const isBadToken = (error: unknown) =>
  error instanceof EmporiumProblem &&
  (/INVITATION/.test(error.code ?? '') ||
    (error.errors ?? []).some((e) => e.path.endsWith('/token')))

/**
 * `/staff/accept#token=…`, the target of a staff invitation's e-mail (issue 19): the invited
 * person chooses a name and a password, the account is made with the invited role, and they are
 * signed in and taken to the back office.
 */
export function StaffAcceptPage() {
  useTitle('Join the shop’s staff')
  const [token, setToken] = useState<string | null | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [accepted, setAccepted] = useState(false)

  useEffect(() => {
    setToken(readToken())
    // A link opened in this tab while the page is on it changes only the fragment.
    const onHash = () => {
      const next = readToken()
      if (!next) return
      setToken(next)
      setError(undefined)
      setAccepted(false)
    }
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    if (!token) return
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const name = form.get('name')?.toString().trim() ?? ''
    const password = form.get('password')?.toString() ?? ''
    setError(undefined)
    if (password !== form.get('confirm')?.toString()) {
      setError(new Error('The two passwords differ. Please type the same password twice.'))
      return
    }
    setBusy(true)
    try {
      const answer = await acceptInvitation(token, name, password)
      setAccepted(true)
      const email = emailOf(answer)
      if (isAuth(answer)) startSession(answer)
      else if (email) {
        startSession(await unwrap(shop.POST('/api/v1/auth/login', { body: { email, password } })))
      } else return
      navigate('/admin', { replace: true })
    } catch (failure) {
      setError(
        isBadToken(failure)
          ? new Error(
              'This invitation cannot be used: it was used already, it expired, or only part of ' +
                'the link was copied. Please ask the shop’s owner for a new invitation.',
            )
          : failure,
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="narrow">
      <h1>Join the shop’s staff</h1>
      {token === null && (
        <p role="alert">
          This link has no invitation in it: open the link of the e-mail as it is, or ask the shop’s
          owner for a new invitation.
        </p>
      )}
      {accepted && (
        <p class="notice info" role="status">
          Your staff account is ready. <Link href="/signin?next=%2Fadmin">Sign in</Link> to open the
          back office.
        </p>
      )}
      {token && !accepted && (
        <form onSubmit={(event) => void submit(event)} class="stack">
          <p>You were invited to help run the shop. Choose your name and a password.</p>
          <div class="field">
            <label for="accept-name">Name</label>
            <input id="accept-name" name="name" required maxLength={100} autoComplete="name" />
          </div>
          <div class="field">
            <label for="accept-password">Password</label>
            <input
              id="accept-password"
              name="password"
              type="password"
              required
              minLength={10}
              autoComplete="new-password"
              aria-describedby="accept-password-hint"
            />
            <small id="accept-password-hint" class="muted">
              At least 10 characters, not a common password or your name: a few uncommon words work
              well.
            </small>
          </div>
          <div class="field">
            <label for="accept-confirm">Confirm password</label>
            <input
              id="accept-confirm"
              name="confirm"
              type="password"
              required
              autoComplete="new-password"
            />
          </div>
          <ErrorMessage error={error} />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Please wait…' : 'Accept the invitation'}
          </button>
        </form>
      )}
    </section>
  )
}
