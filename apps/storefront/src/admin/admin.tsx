import { isAdmin, session } from '../api/session'
import { useTitle } from '../components/ui'
import { Link } from '../lib/router'
import { useStore } from '../lib/store'
import { RequireSignIn } from '../pages/auth'
import { AdminCategories } from './categories'
import { AdminOrders } from './orders'
import { AdminProducts } from './products'

const sections = [
  ['products', 'Products & stock'],
  ['categories', 'Categories'],
  ['orders', 'Orders'],
] as const

/** The back office: for accounts with the admin role (the API refuses everyone else anyway). */
export function AdminApp({ section }: { section: string }) {
  const current = useStore(session)
  useTitle('Back office')
  if (!current) {
    return (
      <RequireSignIn>
        <span />
      </RequireSignIn>
    )
  }
  if (!isAdmin(current)) {
    return (
      <section class="narrow">
        <h1>Not allowed</h1>
        <p>The back office is for shop staff only. Your account cannot open it.</p>
        <p>
          <Link href="/products">Back to the shop</Link>
        </p>
      </section>
    )
  }
  return (
    <section>
      <h1>Back office</h1>
      <nav aria-label="Back office" class="tabs">
        <ul>
          {sections.map(([id, label]) => (
            <li key={id}>
              <Link href={`/admin/${id}`} aria-current={section === id ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {section === 'orders' ? (
        <AdminOrders />
      ) : section === 'categories' ? (
        <AdminCategories />
      ) : (
        <AdminProducts />
      )}
    </section>
  )
}
