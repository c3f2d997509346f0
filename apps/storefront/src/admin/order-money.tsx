import type { Payment } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import {
  newRefundKey,
  orderPayments,
  readStaffOrder,
  retryRefund,
  type Refund,
  type StaffOrder,
} from '../api/backoffice'
import { ErrorMessage, LoadState, useLoad } from '../components/ui'
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
      {refunds.length > 0 && (
        <RefundList refunds={refunds} order={order} onRetried={canRefund ? onChange : undefined} />
      )}
      {canRefund && (order.status === 'confirmed' || order.status === 'shipped') && (
        <RefundForm order={order} onRefunded={onChange} />
      )}
    </section>
  )
}

function RefundList({
  refunds,
  order,
  onRetried,
}: {
  refunds: Refund[]
  order: StaffOrder
  /** refunds.write: a failed refund not retried yet gets a "Retry refund" button. */
  onRetried?: (order: StaffOrder) => void
}) {
  const nameOf = (line: { productId: string; variantId?: string }) => lineName(order, line)
  const retried = new Set(refunds.map((refund) => refund.retryOf).filter(Boolean))
  return (
    <ul class="refunds">
      {refunds.map((refund) => (
        <li key={refund.id} data-refund={refund.status}>
          <strong>{formatMoney(refund.amount)}</strong> · {refund.status} ·{' '}
          {formatDate(refund.createdAt)}
          {refund.returnId && <> · for a return</>}
          {refund.reason && <> · {refund.reason}</>}
          {refund.failureReason && <> ({refund.failureReason.replace(/_/g, ' ')})</>}
          {refund.retryOf && <> · a retry</>}
          {refund.lines && refund.lines.length > 0 && (
            <>
              <br />
              <span class="muted">
                {refund.lines.map((line) => `${line.quantity} × ${nameOf(line)}`).join(', ')}
              </span>
            </>
          )}
          {onRetried && refund.status === 'failed' && !retried.has(refund.id) && (
            <RetryRefund order={order} refund={refund} onRetried={onRetried} />
          )}
        </li>
      ))}
    </ul>
  )
}

/**
 * Asks again for a failed refund (a new refund of the same amount or lines). One
 * Idempotency-Key per button: a click again after an error (a lost answer) never refunds twice.
 */
function RetryRefund({
  order,
  refund,
  onRetried,
}: {
  order: StaffOrder
  refund: Refund
  onRetried: (order: StaffOrder) => void
}) {
  const [key] = useState(newRefundKey)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  async function retry() {
    setBusy(true)
    setError(undefined)
    try {
      await retryRefund(order.id, refund.id, key)
      onRetried(await readStaffOrder(order.id))
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      {' '}
      <button type="button" class="link-button" disabled={busy} onClick={() => void retry()}>
        {busy ? 'Retrying…' : 'Retry refund'}
      </button>
      <ErrorMessage error={error} />
    </>
  )
}
