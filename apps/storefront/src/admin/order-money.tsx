import type { Payment } from '@emporium/sdk'
import { orderPayments, type Refund, type StaffOrder } from '../api/backoffice'
import { LoadState, useLoad } from '../components/ui'
import { formatDate, formatMoney } from '../lib/format'
import { lineName } from './order-returns-panel'
import { RefundForm } from './refund-form'

const paymentStatus = (payment: Payment) =>
  payment.status === 'declined' && payment.declineReason
    ? `declined (${payment.declineReason.replace(/_/g, ' ')})`
    : payment.status

/** The order's payment attempts, its refunds, and a partial refund for staff. */
export function OrderMoney({
  order,
  onChange,
  canRead = true,
  canRefund = true,
}: {
  order: StaffOrder
  onChange: (order: StaffOrder) => void
  /** payments.read: the payment attempts. */
  canRead?: boolean
  /** refunds.write: the refund form. */
  canRefund?: boolean
}) {
  const payments = useLoad(
    (signal) => (canRead ? orderPayments(order.id, signal) : Promise.resolve(undefined)),
    [order.id, order.updatedAt, canRead],
  )
  const refunds = order.refunds ?? []
  return (
    <section aria-labelledby="staff-order-money">
      <h3 id="staff-order-money">Payments and refunds</h3>
      <LoadState state={payments} />
      {payments.data && payments.data.length === 0 && <p>No payment yet.</p>}
      {payments.data && payments.data.length > 0 && (
        <div class="table-wrap">
          <table class="payments-table">
            <caption class="visually-hidden">Payments</caption>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Card</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {payments.data.map((payment) => (
                <tr key={payment.id} data-payment={payment.status}>
                  <td>{payment.attempt ?? 1}</td>
                  <td>
                    {payment.brand ?? 'Card'} ending {payment.last4}
                  </td>
                  <td>{formatMoney(payment.amount)}</td>
                  <td>{paymentStatus(payment)}</td>
                  <td>{formatDate(payment.updatedAt ?? payment.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {order.refundedAmount && order.refundedAmount.amount > 0 && (
        <p data-refunded={order.refundedAmount.amount}>
          Refunded so far: <strong>{formatMoney(order.refundedAmount)}</strong> of{' '}
          {formatMoney(order.total)}
        </p>
      )}
      {refunds.length > 0 && <RefundList refunds={refunds} order={order} />}
      {canRefund && (order.status === 'confirmed' || order.status === 'shipped') && (
        <RefundForm order={order} onRefunded={onChange} />
      )}
    </section>
  )
}

function RefundList({ refunds, order }: { refunds: Refund[]; order: StaffOrder }) {
  const nameOf = (line: { productId: string; variantId?: string }) => lineName(order, line)
  return (
    <ul class="refunds">
      {refunds.map((refund) => (
        <li key={refund.id} data-refund={refund.status}>
          <strong>{formatMoney(refund.amount)}</strong> · {refund.status} ·{' '}
          {formatDate(refund.createdAt)}
          {refund.returnId && <> · for a return</>}
          {refund.reason && <> · {refund.reason}</>}
          {refund.failureReason && <> ({refund.failureReason.replace(/_/g, ' ')})</>}
          {refund.lines && refund.lines.length > 0 && (
            <>
              <br />
              <span class="muted">
                {refund.lines.map((line) => `${line.quantity} × ${nameOf(line)}`).join(', ')}
              </span>
            </>
          )}
        </li>
      ))}
    </ul>
  )
}
