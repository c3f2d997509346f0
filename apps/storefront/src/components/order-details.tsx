import type { FullOrder, Shipment } from '../api/checkout'
import { countryName } from '../lib/countries'
import { formatDate, formatMoney, paymentWords } from '../lib/format'
import { breakdownRows, orderTotals } from '../lib/totals'
import { Breakdown } from './totals'

/**
 * What an order holds, read-only: its lines, its totals breakdown, where it ships and how, its
 * payment and its shipments. The order page and a guest's order link both show it.
 */
export function OrderDetails({
  order,
  settling = false,
}: {
  order: FullOrder
  settling?: boolean
}) {
  const address = order.shippingAddress
  return (
    <>
      <table>
        <caption class="visually-hidden">Items</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Price</th>
            <th scope="col">Qty</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.variantId ?? item.productId}>
              <td>
                {item.name}
                {item.variantLabel && <span class="variant"> ({item.variantLabel})</span>}
              </td>
              <td>{formatMoney(item.unitPrice)}</td>
              <td>{item.quantity}</td>
              <td>{formatMoney(item.lineTotal)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Breakdown
        rows={breakdownRows(orderTotals(order), {
          promotionCode: order.promotionCode,
          shippingMethod: order.shippingMethod,
        })}
      />
      <p>
        Ship to: {address.name}, {address.line1}, {address.line2 && `${address.line2}, `}
        {address.city} {address.postalCode}, {address.region && `${address.region}, `}
        {countryName(address.country)}
      </p>
      {order.payment && (
        <p class="payment" data-payment={order.payment.status}>
          Card ending {order.payment.last4}: {paymentWords(order.payment, order)}
          {settling && <span class="muted"> (this page updates when it is done)</span>}
        </p>
      )}
      <Shipments order={order} />
    </>
  )
}

/** The order's shipments so far, each with its carrier and tracking number. */
function Shipments({ order }: { order: FullOrder }) {
  const shipments = order.shipments ?? []
  if (shipments.length === 0) return null
  const nameOf = (line: Shipment['items'][number]) => {
    const item = order.items.find(
      (i) => (i.variantId ?? i.productId) === line.variantId || i.productId === line.variantId,
    )
    return item ? `${item.name}${item.variantLabel ? ` (${item.variantLabel})` : ''}` : 'An item'
  }
  return (
    <section aria-labelledby="shipments-title">
      <h2 id="shipments-title">Shipments</h2>
      <ul class="shipments">
        {shipments.map((shipment) => (
          <li key={shipment.id} data-tracking={shipment.trackingNumber}>
            <strong>{shipment.carrier}</strong>, tracking number{' '}
            <code>{shipment.trackingNumber}</code> ·{' '}
            {shipment.status === 'delivered' ? 'Delivered' : 'On its way'} (sent{' '}
            {formatDate(shipment.createdAt)})
            <br />
            <span class="muted">
              {shipment.items.map((line) => `${line.quantity} × ${nameOf(line)}`).join(', ')}
            </span>
          </li>
        ))}
      </ul>
    </section>
  )
}
