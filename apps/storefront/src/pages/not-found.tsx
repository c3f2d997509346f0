import { session } from '../api/session'
import { useTitle } from '../components/ui'
import { Link } from '../lib/router'
import { useStore } from '../lib/store'

const headings = {
  page: 'Page not found',
  product: 'Product not found',
  order: 'Order not found',
} as const

const explanations = {
  page: 'There is nothing at this address.',
  product: 'This product does not exist, or is no longer sold.',
  order: 'There is no order of yours with this number. It may belong to another account.',
} as const

/**
 * A page, product or order that is not there (a 404, someone else's order, a mistyped address):
 * a heading that says so and ways on, never a dead end.
 */
export function NotFoundPage({ what = 'page' }: { what?: keyof typeof headings }) {
  useTitle(headings[what])
  const signedIn = useStore(session) !== null
  return (
    <section class="not-found">
      <h1>{headings[what]}</h1>
      <p>{explanations[what]}</p>
      <ul class="ways-on">
        <li>
          <Link href="/products">Browse the shop</Link>
        </li>
        {signedIn && (
          <li>
            <Link href="/orders">Your orders</Link>
          </li>
        )}
        <li>
          <Link href="/">Home page</Link>
        </li>
      </ul>
    </section>
  )
}
