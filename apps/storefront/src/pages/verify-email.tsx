import { useEffect, useState } from 'preact/hooks'
import { messageOf, shop, unwrap } from '../api/client'
import { useTitle } from '../components/ui'
import { Link } from '../lib/router'

type State = { step: 'checking' } | { step: 'done' } | { step: 'failed'; message: string }

/**
 * The target of the verification e-mail's link, `/verify-email#token=…`: the token sits in the
 * fragment (never sent to a server, nor in a Referer) and is posted once to the API, with the
 * signed-in account's token when there is one: an ADMIN_EMAILS address gets `admin` only when
 * its own account verifies it (the link alone proves the mailbox, not the password). Signed out,
 * the address is verified all the same; signed in as another account, the API refuses (403).
 */
export function VerifyEmailPage() {
  useTitle('Confirm your e-mail address')
  const [state, setState] = useState<State>({ step: 'checking' })
  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token')
    // The token has done its work once read: keep it out of the history and the address bar.
    history.replaceState(history.state, '', location.pathname)
    if (!token) {
      setState({ step: 'failed', message: 'This link has no token. Open the link of the e-mail.' })
      return
    }
    unwrap(shop.POST('/api/v1/auth/verify-email', { body: { token } }))
      .then(() => setState({ step: 'done' }))
      .catch((error: unknown) => setState({ step: 'failed', message: messageOf(error) }))
  }, [])
  return (
    <section>
      <h1>Confirm your e-mail address</h1>
      {state.step === 'checking' && <p role="status">Checking the link…</p>}
      {state.step === 'done' && (
        <p role="status">
          Your e-mail address is confirmed. <Link href="/signin">Sign in</Link> to continue.
        </p>
      )}
      {state.step === 'failed' && (
        <p role="alert">{state.message} Signed in, you can ask for a new link from your account.</p>
      )}
    </section>
  )
}
