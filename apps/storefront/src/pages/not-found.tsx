import { useTitle } from '../components/ui'
import { Link } from '../lib/router'

export function NotFoundPage() {
  useTitle('Page not found')
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing here. <Link href="/products">Browse the shop</Link> instead.
      </p>
    </section>
  )
}
