import { session } from '../api/session'
import { useTitle } from '../components/ui'
import type { Permission } from '../lib/permissions'
import { Link } from '../lib/router'
import { useStore } from '../lib/store'
import { RequireSignIn } from '../pages/auth'
import { useAccess } from './access'
import { AdminAudit } from './audit'
import { AdminCategories } from './categories'
import { AdminCustomerPage } from './customer-page'
import { AdminCustomers } from './customers'
import { AdminDashboard } from './dashboard'
import { AdminOrderPage } from './order-page'
import { AdminOrders } from './orders'
import { AdminProducts } from './products'
import { AdminStaff } from './staff'
import { AdminWebhookDelivery } from './webhook-delivery'
import { AdminWebhookEndpoint } from './webhook-endpoint'
import { AdminWebhooks } from './webhooks'

/** Each section, with the permission it needs: staff see the sections their roles allow. */
const sections: readonly (readonly [string, string, Permission])[] = [
  ['products', 'Products & stock', 'catalog.write'],
  ['categories', 'Categories', 'catalog.write'],
  ['orders', 'Orders', 'orders.read'],
  ['customers', 'Customers', 'customers.read'],
  ['dashboard', 'Dashboard', 'reports.read'],
  ['staff', 'Staff', 'staff.manage'],
  ['audit', 'Audit trail', 'audit.read'],
  ['webhooks', 'Webhooks', 'webhooks.manage'],
]

/** The back office: for staff, each section to those its permission allows (issue 19). */
export function AdminApp({
  section: asked,
  id,
  sub,
}: {
  section: string
  id?: string | undefined
  /** A page below the record's: `/admin/webhooks/{id}/deliveries/{deliveryId}`. */
  sub?: { kind: string; id: string } | undefined
}) {
  const current = useStore(session)
  const access = useAccess(current)
  useTitle('Back office')
  const allowed = sections.filter(([, , permission]) => access.has(permission))
  // `/admin` alone opens the first section the member may see.
  const section = asked || (allowed[0]?.[0] ?? '')
  if (!current) {
    return (
      <RequireSignIn>
        <span />
      </RequireSignIn>
    )
  }
  if (allowed.length === 0) {
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
          {allowed.map(([id, label]) => (
            <li key={id}>
              <Link href={`/admin/${id}`} aria-current={section === id ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {!allowed.some(([id]) => id === section) ? (
        <p role="alert">Your roles do not include this section of the back office.</p>
      ) : section === 'orders' ? (
        id ? (
          <AdminOrderPage id={id} />
        ) : (
          <AdminOrders />
        )
      ) : section === 'customers' ? (
        id ? (
          <AdminCustomerPage id={id} />
        ) : (
          <AdminCustomers />
        )
      ) : section === 'categories' ? (
        <AdminCategories />
      ) : section === 'dashboard' ? (
        <AdminDashboard />
      ) : section === 'staff' ? (
        <AdminStaff />
      ) : section === 'audit' ? (
        <AdminAudit />
      ) : section === 'webhooks' ? (
        id && sub?.kind === 'deliveries' ? (
          <AdminWebhookDelivery endpointId={id} deliveryId={sub.id} />
        ) : id ? (
          <AdminWebhookEndpoint id={id} />
        ) : (
          <AdminWebhooks />
        )
      ) : (
        <AdminProducts />
      )}
    </section>
  )
}
