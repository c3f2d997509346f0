import type { ComponentType } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { cartStore, refreshCart } from './api/cart'
import { shop, unwrap } from './api/client'
import { mergeNotice } from './api/guest'
import { session } from './api/session'
import { ErrorMessage, Loading } from './components/ui'
import { isStaff } from './lib/permissions'
import { Link, match, navigate, useLocation } from './lib/router'
import { useStore } from './lib/store'
import { AddressBookPage } from './pages/addresses'
import { AuthPage } from './pages/auth'
import { CartPage } from './pages/cart'
import { CheckoutPage } from './pages/checkout'
import { HomePage } from './pages/home'
import { NotFoundPage } from './pages/not-found'
import { OrderPage } from './pages/order'
import { OrderLinkPage } from './pages/order-link'
import { OrdersPage } from './pages/orders'
import { ForgotPasswordPage, ResetPasswordPage } from './pages/password-reset'
import { ProductPage } from './pages/product'
import { ProductsPage } from './pages/products'
import { StaffAcceptPage } from './pages/staff-accept'
import { VerifyEmailPage } from './pages/verify-email'

type Page = ComponentType<{ params: Record<string, string> }>

const routes: [string, Page][] = [
  ['/', HomePage],
  ['/products', ProductsPage],
  ['/products/:id', ProductPage],
  ['/cart', CartPage],
  ['/checkout', CheckoutPage],
  ['/orders', OrdersPage],
  ['/orders/:id', OrderPage],
  ['/order-links/:token', OrderLinkPage],
  ['/signin', () => <AuthPage mode="signin" />],
  ['/register', () => <AuthPage mode="register" />],
  ['/verify-email', VerifyEmailPage],
  ['/forgot-password', ForgotPasswordPage],
  ['/reset-password', ResetPasswordPage],
  ['/account/addresses', AddressBookPage],
  ['/staff/accept', StaffAcceptPage],
  ['/admin', AdminPage],
  ['/admin/:section', AdminPage],
  ['/admin/:section/:id', AdminPage],
  ['/admin/:section/:id/:sub/:subId', AdminPage],
]

export function App() {
  const { path } = useLocation()
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)
  useEffect(() => {
    // Move focus to the new page so keyboard and screen-reader users start at its top. Without
    // scrolling: the router puts the scroll where the page was (its top, or on Back where the
    // shopper left it), and focus must not move it after that.
    if (first.current) first.current = false
    else {
      main.current?.focus({ preventScroll: true })
      // The meta the gateway wrote for the first page (a product's) is not this page's.
      for (const tag of document.head.querySelectorAll('[data-page-meta]')) tag.remove()
    }
  }, [path])
  useEffect(() => {
    void refreshCart().catch(() => undefined)
  }, [])

  let page = <NotFoundPage />
  for (const [pattern, Component] of routes) {
    const params = match(pattern, path)
    if (params) {
      page = <Component params={params} />
      break
    }
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <MergeNotice />
      <main id="main" ref={main} tabIndex={-1}>
        {page}
      </main>
      <footer class="footer">
        <p>Emporium · test shop — no real payments are taken.</p>
      </footer>
    </>
  )
}

function Header() {
  const current = useStore(session)
  const cart = useStore(cartStore)
  const [error, setError] = useState<unknown>(undefined)
  async function signOut() {
    const ending = session.get()
    setError(undefined)
    try {
      if (ending) {
        await unwrap(
          shop.POST('/api/v1/auth/logout', { body: { refreshToken: ending.refreshToken } }),
        )
      }
    } catch {
      // Signed out here whatever the server said: the tokens are dropped below.
    }
    session.set(null)
    navigate('/')
  }
  return (
    <header class="header">
      <div class="header-inner">
        <Link href="/" class="brand">
          Emporium
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href="/products">Shop</Link>
            </li>
            {/* A signed-out shopper has a cart too: a guest's (issue 18). */}
            <li>
              <Link href="/cart">
                Cart{cart && cart.itemCount > 0 ? ` (${cart.itemCount})` : ''}
              </Link>
            </li>
            {current && (
              <li>
                <Link href="/orders">Orders</Link>
              </li>
            )}
            {current && (
              <li>
                <Link href="/account/addresses">Addresses</Link>
              </li>
            )}
            {isStaff(current?.user.roles ?? []) && (
              <li>
                <Link href="/admin">Back office</Link>
              </li>
            )}
            {current ? (
              <li>
                <button type="button" class="link-button" onClick={() => void signOut()}>
                  Sign out <span class="muted">({current.user.name})</span>
                </button>
              </li>
            ) : (
              <>
                <li>
                  <Link href="/signin">Sign in</Link>
                </li>
                <li>
                  <Link href="/register">Register</Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </div>
      <ErrorMessage error={error} />
    </header>
  )
}

/** What a sign-in did with the guest cart: said under the header until dismissed. */
function MergeNotice() {
  const notice = useStore(mergeNotice)
  if (!notice) return null
  const moved = notice.mergedLines > 0
  return (
    <div class="merge-notice">
      <div class="notice info" role="status">
        {moved && <p>The items you added before signing in are now in your cart.</p>}
        {notice.notMerged.length > 0 && (
          <>
            <p>Some of them did not fit into your cart and were left out:</p>
            <ul>
              {notice.notMerged.map((line) => (
                <li key={`${line.productId}:${line.variantId ?? ''}`}>
                  {line.quantity} × {line.name} ({notMergedWords(line.reason)})
                </li>
              ))}
            </ul>
          </>
        )}
        <button type="button" class="link-button" onClick={() => mergeNotice.set(null)}>
          Dismiss
        </button>
      </div>
    </div>
  )
}

const notMergedWords = (reason: string) =>
  reason === 'line_limit'
    ? 'your cart holds as many different items as it can'
    : reason === 'quantity_limit'
      ? 'at most 99 of an item'
      : reason === 'currency_mismatch'
        ? 'priced in another currency'
        : 'could not be added'

type AdminModule = typeof import('./admin/admin')

// The back office is its own chunk: shoppers never download it.
function AdminPage({ params }: { params: Record<string, string> }) {
  const [module, setModule] = useState<AdminModule | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  useEffect(() => {
    import('./admin/admin').then(setModule, setError)
  }, [])
  if (error) return <ErrorMessage error={error} />
  if (!module) return <Loading />
  const sub = params.sub && params.subId ? { kind: params.sub, id: params.subId } : undefined
  return <module.AdminApp section={params.section ?? ''} id={params.id} sub={sub} />
}
