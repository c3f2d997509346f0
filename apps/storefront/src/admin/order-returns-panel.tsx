import { useState } from 'preact/hooks'
import {
  lineKey,
  orderReturns,
  receiveReturn,
  rejectReturn,
  type OrderReturn,
  type StaffOrder,
} from '../api/backoffice'
import { ErrorMessage, LoadState, useLoad } from '../components/ui'
import { formatDate } from '../lib/format'

/** An order's returns: each requested one received (restocked or not, per line) or rejected. */
export function OrderReturnsPanel({
  order,
  onChange,
  canWrite = true,
}: {
  order: StaffOrder
  onChange: () => void
  /** refunds.write: receive or reject. */
  canWrite?: boolean
}) {
  const returns = useLoad((signal) => orderReturns(order.id, signal), [order.id, order.updatedAt])
  const items = returns.data ?? []
  return (
    <section aria-labelledby="staff-order-returns">
      <h3 id="staff-order-returns">Returns</h3>
      <LoadState state={returns} />
      {returns.data && items.length === 0 && <p>No returns.</p>}
      {items.length > 0 && (
        <ul class="returns">
          {items.map((item) => (
            <ReturnItem
              key={item.id}
              order={order}
              item={item}
              canWrite={canWrite}
              onChange={() => {
                returns.reload()
                onChange()
              }}
            />
          ))}
        </ul>
      )}
    </section>
  )
}

/** The name of a line of the order, with its variant. */
export function lineName(
  order: Pick<StaffOrder, 'items'>,
  line: { productId: string; variantId?: string },
): string {
  const item = order.items.find((i) => lineKey(i) === lineKey(line))
  return item ? `${item.name}${item.variantLabel ? ` (${item.variantLabel})` : ''}` : 'An item'
}

function ReturnItem({
  order,
  item,
  onChange,
  canWrite,
}: {
  order: StaffOrder
  item: OrderReturn
  onChange: () => void
  canWrite: boolean
}) {
  const [received, setReceived] = useState<Record<string, number>>({})
  const [restock, setRestock] = useState<Record<string, boolean>>({})
  const [rejection, setRejection] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  async function run(action: () => Promise<unknown>) {
    setBusy(true)
    setError(undefined)
    try {
      await action()
      onChange()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  const receive = () =>
    run(() =>
      receiveReturn(
        order.id,
        item.id,
        item.lines
          .map((line) => ({
            productId: line.productId,
            ...(line.variantId ? { variantId: line.variantId } : {}),
            quantity: received[lineKey(line)] ?? line.quantity,
            restock: restock[lineKey(line)] ?? true,
          }))
          .filter((line) => line.quantity > 0),
      ),
    )
  const reject = () => {
    if (window.confirm('Reject this return? The customer is not refunded.')) {
      void run(() => rejectReturn(order.id, item.id, rejection.trim() || undefined))
    }
  }

  const id = (line: { productId: string; variantId?: string }) => `${item.id}-${lineKey(line)}`
  return (
    <li data-return={item.status}>
      <p>
        <strong>Return {item.status}</strong> · requested {formatDate(item.createdAt)}
        {item.status === 'requested' && item.deadlineAt && (
          <> · awaited until {formatDate(item.deadlineAt)}</>
        )}
        <br />
        <span class="muted">Reason: {item.reason}</span>
        {item.rejectionReason && (
          <>
            <br />
            <span class="muted">Rejected: {item.rejectionReason}</span>
          </>
        )}
      </p>
      {item.status !== 'requested' || !canWrite ? (
        <ul>
          {item.lines.map((line) => (
            <li key={lineKey(line)}>
              {line.receivedQuantity ?? line.quantity} × {lineName(order, line)}
              {line.receivedQuantity !== undefined && ` received of ${line.quantity}`}
              {line.restock !== undefined && (line.restock ? ' (restocked)' : ' (not restocked)')}
            </li>
          ))}
        </ul>
      ) : (
        <div class="stack">
          {item.lines.map((line) => (
            <fieldset key={lineKey(line)}>
              <legend>
                {lineName(order, line)}: {line.quantity} to return
              </legend>
              <div class="field inline">
                <label for={`received-${id(line)}`}>Received</label>
                <input
                  id={`received-${id(line)}`}
                  type="number"
                  min={0}
                  max={line.quantity}
                  value={received[lineKey(line)] ?? line.quantity}
                  onInput={(e) => {
                    const value = Math.min(
                      line.quantity,
                      Math.max(0, Number(e.currentTarget.value)),
                    )
                    setReceived((all) => ({ ...all, [lineKey(line)]: value || 0 }))
                  }}
                />
              </div>
              <div class="field checkbox">
                <input
                  id={`restock-${id(line)}`}
                  type="checkbox"
                  checked={restock[lineKey(line)] ?? true}
                  onChange={(e) =>
                    setRestock((all) => ({ ...all, [lineKey(line)]: e.currentTarget.checked }))
                  }
                />
                <label for={`restock-${id(line)}`}>Put back in stock</label>
              </div>
            </fieldset>
          ))}
          <div class="field">
            <label for={`reject-${item.id}`}>Reason for rejecting (optional)</label>
            <input
              id={`reject-${item.id}`}
              maxLength={500}
              value={rejection}
              onInput={(e) => setRejection(e.currentTarget.value)}
            />
          </div>
          <ErrorMessage error={error} />
          <div class="row">
            <button type="button" class="primary" disabled={busy} onClick={() => void receive()}>
              Receive return
            </button>{' '}
            <button type="button" class="danger" disabled={busy} onClick={reject}>
              Reject return
            </button>
          </div>
        </div>
      )}
    </li>
  )
}
