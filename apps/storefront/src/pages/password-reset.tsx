import { EmporiumProblem } from '@emporium/sdk'
import { useEffect, useState } from 'preact/hooks'
import { confirmPasswordReset, requestPasswordReset } from '../api/account'
import { ErrorMessage, useTitle } from '../components/ui'
import { Link } from '../lib/router'

/**
 * `/forgot-password`: asks for a reset link by e-mail. The answer is the same whether or not an
 * account has the address (the API's 202 says nothing either), so the page never tells.
 */
export function ForgotPasswordPage() {
  useTitle('Reset your password')
  const [busy, setBusy] = useState(false)
  const [sentTo, setSentTo] = useState<string | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const email = form.get('email')?.toString().trim() ?? ''
    setBusy(true)
    setError(undefined)
    try {
      await requestPasswordReset(email)
      setSentTo(email)
    } catch (failure) {
      // A malformed address, too many requests, or the shop out of reach: none says whether
      // an account exists.
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="narrow">
      <h1>Reset your password</h1>
      {sentTo === undefined ? (
        <>
          <p>
            Enter the e-mail address of your account and we will e-mail you a link to set a new
            password.
          </p>
          <form onSubmit={(event) => void submit(event)} class="stack">
            <div class="field">
              <label for="forgot-email">Email</label>
              <input id="forgot-email" name="email" type="email" required autoComplete="email" />
            </div>
            <ErrorMessage error={error} />
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Please wait…' : 'Send the link'}
            </button>
          </form>
        </>
      ) : (
        <p class="notice info" role="status">
          If an account exists for that address, we've sent a link to reset its password. The link
          works once and for a limited time; check your spam folder if it does not arrive.
        </p>
      )}
      <p>
        Remembered it? <Link href="/signin">Sign in</Link>
      </p>
    </section>
  )
}

const badLink =
  'This reset link cannot be used: it was used already, it expired, or only part of it was ' +
  'copied. Please ask for a new link.'

/** A token refused, or one the API would not even read (cut short, mangled in copying). */
const isBadToken = (error: unknown) =>
  error instanceof EmporiumProblem &&
  (error.code === 'USERS.RESET_TOKEN_INVALID' ||
    (error.errors ?? []).some((e) => e.path.endsWith('/token')))

type ResetState = { step: 'form' } | { step: 'done' } | { step: 'no-token' }

/**
 * `/reset-password#token=…`, the target of the reset e-mail's link: the token sits in the
 * fragment (never sent to a server, nor in a Referer) and is read once, then dropped from the
 * address bar and the history. A new password twice; the API's problems (a used, expired or
 * mangled token; a password its policy refuses) are shown as they come.
 */
export function ResetPasswordPage() {
  useTitle('Choose a new password')
  const [token, setToken] = useState<string | undefined>(undefined)
  const [state, setState] = useState<ResetState>({ step: 'form' })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  useEffect(() => {
    const read = () => {
      const found = new URLSearchParams(location.hash.slice(1)).get('token')
      history.replaceState(history.state, '', location.pathname)
      return found
    }
    const found = read()
    if (found) setToken(found)
    else setState({ step: 'no-token' })
    // A link opened in this tab while the page is on it changes only the fragment.
    const onHash = () => {
      const next = read()
      if (!next) return
      setToken(next)
      setError(undefined)
      setState({ step: 'form' })
    }
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    if (!token) return
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const password = form.get('password')?.toString() ?? ''
    const again = form.get('confirm')?.toString() ?? ''
    setError(undefined)
    if (password !== again) {
      setError(new Error('The two passwords differ. Please type the same new password twice.'))
      return
    }
    setBusy(true)
    try {
      await confirmPasswordReset(token, password)
      setState({ step: 'done' })
    } catch (failure) {
      setError(isBadToken(failure) ? new Error(badLink) : failure)
    } finally {
      setBusy(false)
    }
  }

  const tokenSpent = error instanceof Error && error.message === badLink
  return (
    <section class="narrow">
      <h1>Choose a new password</h1>
      {state.step === 'no-token' && (
        <p role="alert">
          This link has no token: open the link of the e-mail as it is, or{' '}
          <Link href="/forgot-password">ask for a new link</Link>.
        </p>
      )}
      {state.step === 'done' && (
        <p class="notice info" role="status">
          Your password is changed, and every session of your account has been signed out.{' '}
          <Link href="/signin">Sign in</Link> with your new password.
        </p>
      )}
      {state.step === 'form' && (
        <form onSubmit={(event) => void submit(event)} class="stack">
          <div class="field">
            <label for="reset-password">New password</label>
            <input
              id="reset-password"
              name="password"
              type="password"
              required
              minLength={10}
              autoComplete="new-password"
              aria-describedby="reset-password-hint"
            />
            <small id="reset-password-hint" class="muted">
              At least 10 characters, not a common password or your name: a few uncommon words work
              well.
            </small>
          </div>
          <div class="field">
            <label for="reset-confirm">Confirm new password</label>
            <input
              id="reset-confirm"
              name="confirm"
              type="password"
              required
              autoComplete="new-password"
            />
          </div>
          <ErrorMessage error={error} />
          {tokenSpent && (
            <p>
              <Link href="/forgot-password">Ask for a new link</Link>
            </p>
          )}
          <button type="submit" class="primary" disabled={busy || !token}>
            {busy ? 'Please wait…' : 'Set the new password'}
          </button>
        </form>
      )}
    </section>
  )
}
