import { readOrderLink } from '../api/checkout'
import { isNotFound } from '../api/problems'
import { OrderDetails } from '../components/order-details'
import { LoadState, useLoad, useTitle } from '../components/ui'
import { formatDate, reasonWords, shopperStatusWords } from '../lib/format'
import { Link } from '../lib/router'

/**
 * A guest's order through the link e-mailed at its confirmation (`/order-links/:token`):
 * read-only, no sign-in, with its shipments and tracking numbers. A link that is not (or no
 * longer) valid reads as not found, whatever was wrong with it.
 */
export function OrderLinkPage({ params }: { params: Record<string, string> }) {
  useTitle('Your order')
  const token = params.token!
  const order = useLoad((signal) => readOrderLink(token, signal), [token])
  if (!order.data) {
    if (isNotFound(order.error)) {
      return (
        <section class="narrow">
          <h1>This order link does not work</h1>
          <p>
            It may have expired, or only part of it was copied. Open the link from the e-mail again,
            or <Link href="/products">keep shopping</Link>.
          </p>
        </section>
      )
    }
    return <LoadState state={order} />
  }
  const data = order.data
  return (
    <section>
      <h1>Order {data.id}</h1>
      <p class="muted">Placed {formatDate(data.createdAt)}</p>
      <div class="status-box">
        <p>
          Status: <strong data-status={data.status}>{shopperStatusWords[data.status]}</strong>
        </p>
        {data.status === 'cancelled' && (
          <p class="error-text">{reasonWords(data.cancellationReason)}</p>
        )}
      </div>
      <OrderDetails order={data} />
      <p>
        <Link href="/products">Keep shopping</Link>
      </p>
    </section>
  )
}
