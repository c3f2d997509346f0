import type { OrderStatus, OrderStatusEvent } from '@emporium/sdk'
import { useEffect, useState } from 'preact/hooks'
import { readOrder } from '../api/checkout'
import { isNotFound } from '../api/problems'
import { followOrder } from '../api/order-events'
import { PayAgain } from '../components/pay-again'
import { Breakdown } from '../components/totals'
import { LoadState, useLoad } from '../components/ui'
import { countryName } from '../lib/countries'
import { shopperStatusWords } from '../lib/format'
import { Link, navigate } from '../lib/router'
import { breakdownRows, orderTotals } from '../lib/totals'
import { NotFoundPage } from './not-found'

/** Where the checkout hands over to the order page: the payment's outcome is known. */
const settled: OrderStatus[] = ['confirmed', 'shipped', 'cancelled']

/** How often the page reads the order while its payment is under way, whatever the stream says. */
const orderReadEveryMs = 5_000

const orderPage = (id: string) => `/orders/${encodeURIComponent(id)}`

/**
 * The checkout once the order is placed (`/checkout?order=<id>`, issue 18): it follows the order
 * until its payment's outcome is known. Paid (or cancelled): on to the order page. Declined:
 * the shopper pays again right here with another card, the address, method and code staying
 * the order's; the page then follows the new attempt the same way. A reload comes back here.
 */
export function PlacedOrder({ id }: { id: string }) {
  const order = useLoad((signal) => readOrder(id, signal), [id])
  const [live, setLive] = useState<OrderStatusEvent | undefined>(undefined)
  const [streamError, setStreamError] = useState<unknown>(undefined)
  const known = order.data?.status

  useEffect(() => {
    if (known !== undefined && settled.includes(known)) navigate(orderPage(id), { replace: true })
  }, [known, id])

  // The stream is the fast way; a slow read of the order is the floor, should its events lag
  // or a proxy hold them back. Not while a failed payment's form is shown (it keeps its input).
  useEffect(() => {
    if (known === undefined || known === 'payment_failed' || settled.includes(known)) return
    const timer = setInterval(order.reload, orderReadEveryMs)
    return () => clearInterval(timer)
  }, [known])

  useEffect(() => {
    const controller = new AbortController()
    void followOrder(
      id,
      (event) => {
        setStreamError(undefined)
        if (settled.includes(event.status)) {
          navigate(orderPage(id), { replace: true })
          return
        }
        setLive(event)
        // A failed payment brings its reason and its deadline: read the order whole.
        if (event.status === 'payment_failed') order.reload()
      },
      // While the live updates fail (a busy shop, a proxy that cuts streams), each failure reads
      // the order whole instead: the payment's outcome still moves the page on.
      (error) => {
        setStreamError(error)
        order.reload()
      },
      controller.signal,
    )
    return () => controller.abort()
  }, [id])

  if (!order.data) {
    return isNotFound(order.error) ? <NotFoundPage what="order" /> : <LoadState state={order} />
  }
  const data = order.data
  // The stream's news ahead of the order last read; a failed payment's form waits for the
  // order read whole (its reason, its deadline).
  const newer = live && Date.parse(live.at) > Date.parse(data.updatedAt) ? live.status : undefined
  const status = newer ?? data.status
  const failed = status === 'payment_failed' && data.status === 'payment_failed'
  const address = data.shippingAddress
  return (
    <section>
      <h1>Checkout</h1>
      {failed ? (
        <PayAgain
          order={data}
          onAttempt={(next) => {
            setLive(undefined)
            order.setData(next)
            order.reload()
          }}
          onRefused={order.reload}
        />
      ) : (
        <div class="status-box" aria-live="polite">
          <p>
            Order {data.id} is placed:{' '}
            <strong data-status={status}>{shopperStatusWords[status]}</strong>
          </p>
          <p class="muted">Updating live… this page moves on once your payment is through.</p>
          {streamError !== undefined && (
            <p class="muted">Live updates interrupted; reconnecting…</p>
          )}
        </div>
      )}
      <h2>Your order</h2>
      <Breakdown
        rows={breakdownRows(orderTotals(data), {
          promotionCode: data.promotionCode,
          shippingMethod: data.shippingMethod,
        })}
      />
      <p>
        Ships to {address.name}, {address.city}, {countryName(address.country)}.
      </p>
      <p>
        <Link href={orderPage(data.id)}>View or cancel this order</Link>
      </p>
    </section>
  )
}
