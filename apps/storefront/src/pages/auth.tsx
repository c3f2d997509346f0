import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { guestCart, mergeGuestCart } from '../api/guest'
import { session, startSession } from '../api/session'
import { ErrorMessage, useTitle } from '../components/ui'
import { Link, navigate, useLocation } from '../lib/router'
import { useStore } from '../lib/store'

/** Only a safe in-app path is followed after signing in. */
const safeNext = (next: string | null) =>
  next && next.startsWith('/') && !next.startsWith('//') ? next : '/'

export function AuthPage({ mode }: { mode: 'signin' | 'register' }) {
  const registering = mode === 'register'
  useTitle(registering ? 'Create an account' : 'Sign in')
  const { query } = useLocation()
  const next = safeNext(query.get('next'))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const field = (name: string) => form.get(name)?.toString() ?? ''
    setBusy(true)
    setError(undefined)
    try {
      const email = field('email').trim()
      const password = field('password')
      const auth = await unwrap(
        registering
          ? shop.POST('/api/v1/auth/register', {
              body: { name: field('name').trim(), email, password },
            })
          : shop.POST('/api/v1/auth/login', { body: { email, password } }),
      )
      startSession(auth)
      // A cart filled before signing in joins the account's (the page says what did not fit).
      await mergeGuestCart()
      navigate(next, { replace: true })
    } catch (failure) {
      setError(failure)
      setBusy(false)
    }
  }

  const other = registering ? '/signin' : '/register'
  return (
    <section class="narrow">
      <h1>{registering ? 'Create an account' : 'Sign in'}</h1>
      <form onSubmit={(event) => void submit(event)} class="stack">
        {registering && (
          <div class="field">
            <label for="auth-name">Name</label>
            <input id="auth-name" name="name" required maxLength={100} autoComplete="name" />
          </div>
        )}
        <div class="field">
          <label for="auth-email">Email</label>
          <input id="auth-email" name="email" type="email" required autoComplete="email" />
        </div>
        <div class="field">
          <label for="auth-password">Password</label>
          <input
            id="auth-password"
            name="password"
            type="password"
            required
            minLength={registering ? 10 : undefined}
            autoComplete={registering ? 'new-password' : 'current-password'}
            aria-describedby={registering ? 'password-hint' : undefined}
          />
          {registering && (
            <small id="password-hint" class="muted">
              At least 10 characters, not a common password or your name: a few uncommon words work
              well.
            </small>
          )}
        </div>
        <ErrorMessage error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Please wait…' : registering ? 'Create account' : 'Sign in'}
        </button>
      </form>
      {!registering && (
        <p>
          <Link href="/forgot-password">Forgot your password?</Link>
        </p>
      )}
      <p>
        {registering ? 'Already have an account? ' : 'New here? '}
        <Link href={`${other}${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`}>
          {registering ? 'Sign in' : 'Create an account'}
        </Link>
      </p>
    </section>
  )
}

/** Shows its children to a shopper with a cart: signed in, or a guest with one (issue 18). */
export function RequireShopper({ children }: { children: ComponentChildren }) {
  const current = useStore(session)
  const hasGuestCart = useStore(guestCart)
  if (current || hasGuestCart) return <>{children}</>
  return <RequireSignIn>{children}</RequireSignIn>
}

/** Shows its children to a signed-in visitor, a sign-in prompt to anyone else. */
export function RequireSignIn({ children }: { children: ComponentChildren }) {
  const current = useStore(session)
  const { path, query } = useLocation()
  if (current) return <>{children}</>
  const here = encodeURIComponent(`${path}${query.size ? `?${query}` : ''}`)
  return (
    <section class="narrow">
      <h1>Please sign in</h1>
      <p>
        <Link href={`/signin?next=${here}`}>Sign in</Link> or{' '}
        <Link href={`/register?next=${here}`}>create an account</Link> to continue.
      </p>
    </section>
  )
}
