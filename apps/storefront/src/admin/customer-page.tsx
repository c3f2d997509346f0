import {
  customerFigures,
  readCustomer,
  searchOrders,
  type CustomerAddress,
  type CustomerFigures,
} from '../api/backoffice'
import { isNotFound } from '../api/problems'
import { LoadState, useLoad, useTitle } from '../components/ui'
import { staffCancellation } from '../lib/cancellation'
import { countryName } from '../lib/countries'
import { formatDate, formatMoney, statusWords } from '../lib/format'
import { Link } from '../lib/router'
import { orderName } from './orders'

/** A customer (issue 19): profile, addresses, orders and what they spent. */
export function AdminCustomerPage({ id }: { id: string }) {
  const customer = useLoad((signal) => readCustomer(id, signal), [id])
  const data = customer.data
  useTitle(data ? `Customer ${data.name}` : 'Customer')
  return (
    <section aria-labelledby="customer-title">
      <p>
        <Link href="/admin/customers">All customers</Link>
      </p>
      {data ? (
        <>
          <h2 id="customer-title">{data.name}</h2>
          <p>
            {data.email}
            {data.emailVerified ? ' (verified)' : ' (not verified)'} · customer since{' '}
            {formatDate(data.createdAt)}
          </p>
        </>
      ) : (
        <>
          <h2 id="customer-title">Customer</h2>
          {isNotFound(customer.error) ? (
            <p role="alert">No customer {id}.</p>
          ) : (
            <LoadState state={customer} />
          )}
        </>
      )}
      <Figures id={id} />
      {data && <Addresses addresses={data.addresses ?? []} />}
      <CustomerOrders id={id} />
    </section>
  )
}

const money = (value: CustomerFigures['lifetimeValue']) => (value ? formatMoney(value) : '—')

function Figures({ id }: { id: string }) {
  const figures = useLoad((signal) => customerFigures(id, signal), [id])
  const data = figures.data
  return (
    <section aria-labelledby="customer-figures">
      <h3 id="customer-figures">Lifetime value</h3>
      <LoadState state={figures} />
      {data && (
        <dl class="breakdown customer-figures">
          <div class="breakdown-row">
            <dt>Orders</dt>
            <dd>{data.orders}</dd>
          </div>
          <div class="breakdown-row">
            <dt>Lifetime value</dt>
            <dd data-lifetime-value>{money(data.lifetimeValue)}</dd>
          </div>
          <div class="breakdown-row">
            <dt>Refunded</dt>
            <dd>{money(data.refunded)}</dd>
          </div>
          <div class="breakdown-row">
            <dt>First and last order</dt>
            <dd>
              {data.firstOrderAt ? formatDate(data.firstOrderAt) : '—'} –{' '}
              {data.lastOrderAt ? formatDate(data.lastOrderAt) : '—'}
            </dd>
          </div>
        </dl>
      )}
    </section>
  )
}

function Addresses({ addresses }: { addresses: CustomerAddress[] }) {
  return (
    <section aria-labelledby="customer-addresses">
      <h3 id="customer-addresses">Addresses</h3>
      {addresses.length === 0 ? (
        <p>No saved addresses.</p>
      ) : (
        <ul class="address-list">
          {addresses.map((address) => (
            <li key={address.id}>
              {address.label && <strong>{address.label}: </strong>}
              {address.name}, {address.line1}, {address.line2 && `${address.line2}, `}
              {address.city} {address.postalCode}, {address.region && `${address.region}, `}
              {countryName(address.country)}
              {address.isDefault && <span class="muted"> (default)</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function CustomerOrders({ id }: { id: string }) {
  const orders = useLoad((signal) => searchOrders({ customerId: id }, undefined, signal), [id])
  const items = orders.data?.items ?? []
  return (
    <section aria-labelledby="customer-orders">
      <h3 id="customer-orders">Orders</h3>
      <LoadState state={orders} />
      {orders.data && items.length === 0 && <p>No orders.</p>}
      {items.length > 0 && (
        <ul class="orders">
          {items.map((order) => (
            <li key={order.id}>
              <Link href={`/admin/orders/${encodeURIComponent(order.id)}`}>
                Order {orderName(order)}
              </Link>{' '}
              · {formatDate(order.createdAt)} · {formatMoney(order.total)} ·{' '}
              {statusWords[order.status]}
              {order.status === 'cancelled' && (
                <span class="muted">
                  {' '}
                  {staffCancellation(order.cancellationReason, order.cancellationNote)}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {orders.data?.nextCursor && (
        <p>
          <Link href={`/admin/orders?customerId=${encodeURIComponent(id)}`}>
            All of this customer's orders
          </Link>
        </p>
      )}
    </section>
  )
}
