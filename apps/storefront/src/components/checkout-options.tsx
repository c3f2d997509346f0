import type { Cart } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import type { Quote } from '../api/checkout'
import { breakdownRows, normalizePromotionCode, shippingOptionLabel } from '../lib/totals'
import { Breakdown } from './totals'
import { ErrorMessage } from './ui'

/**
 * The shipping methods the destination is offered (the live quote's), as radio buttons: the
 * shopper's choice checked at once (its quote follows), else the quote's (the cheapest). Before
 * a quote: what to do to see them.
 */
export function ShippingChoice({
  quote,
  chosenId,
  hasDestination,
  onChoose,
}: {
  quote: Quote | undefined
  chosenId: string | undefined
  hasDestination: boolean
  onChoose: (methodId: string) => void
}) {
  const options = quote?.shippingOptions ?? []
  const checked =
    chosenId && options.some((option) => option.methodId === chosenId)
      ? chosenId
      : quote?.shippingMethod?.id
  return (
    <fieldset class="shipping-options">
      <legend>Shipping method</legend>
      {!quote ? (
        <p class="muted">
          {hasDestination
            ? 'Finding the ways we can ship to you…'
            : 'Enter your address to see how we can ship your order.'}
        </p>
      ) : options.length === 0 ? (
        <p>Free shipping to this address.</p>
      ) : (
        options.map((option) => (
          <div class="option" key={option.methodId}>
            <input
              type="radio"
              id={`co-ship-${option.methodId}`}
              name="shippingMethod"
              value={option.methodId}
              checked={checked === option.methodId}
              onChange={() => onChoose(option.methodId)}
            />
            <label for={`co-ship-${option.methodId}`}>{shippingOptionLabel(option)}</label>
          </div>
        ))
      )}
    </fieldset>
  )
}

/**
 * The promotion code field: Apply sends it with the next quote (the shop says whether it
 * takes it, and why not); once taken, it is named with a Remove button. Enter applies it
 * rather than placing the order.
 */
export function PromotionField({
  applied,
  accepted,
  refusal,
  onApply,
  onRemove,
}: {
  /** The code applied (taken, or being checked). */
  applied: string | undefined
  /** The shop took it (the latest quote carries it). */
  accepted: boolean
  /** Why the shop refused the last code applied. */
  refusal: unknown
  onApply: (code: string) => void
  onRemove: () => void
}) {
  const [text, setText] = useState('')
  const apply = () => {
    const code = normalizePromotionCode(text)
    if (code) onApply(code)
  }
  return (
    <fieldset class="promotion">
      <legend>Promotion code</legend>
      {applied ? (
        <p role="status">
          {accepted ? (
            <>
              Code <strong>{applied}</strong> applied.{' '}
            </>
          ) : (
            <>Checking code {applied}… </>
          )}
          <button
            type="button"
            onClick={() => {
              setText('')
              onRemove()
            }}
          >
            Remove<span class="visually-hidden"> code {applied}</span>
          </button>
        </p>
      ) : (
        <div class="promo-row">
          <div class="field">
            <label for="co-promotion">Promotion code</label>
            <input
              id="co-promotion"
              value={text}
              maxLength={32}
              autoComplete="off"
              onInput={(event) => setText(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') {
                  event.preventDefault()
                  apply()
                }
              }}
            />
          </div>
          <button type="button" onClick={apply}>
            Apply
          </button>
        </div>
      )}
      <ErrorMessage error={refusal} />
    </fieldset>
  )
}

/** The order's totals as the live quote prices them, or the cart's subtotal before one. */
export function CheckoutSummary({
  cart,
  quote,
  quoting,
}: {
  cart: Cart
  quote: Quote | undefined
  quoting: boolean
}) {
  const zero = { amount: 0, currency: cart.subtotal.currency }
  const rows = quote
    ? breakdownRows(quote, {
        promotionCode: quote.promotionCode,
        shippingMethod: quote.shippingMethod,
      })
    : breakdownRows(
        {
          subtotal: cart.subtotal,
          discount: zero,
          shipping: zero,
          tax: zero,
          total: cart.subtotal,
          taxInclusive: false,
        },
        { shippingKnown: false },
      )
  return (
    <section class="checkout-summary" aria-labelledby="co-summary-title" aria-busy={quoting}>
      <h2 id="co-summary-title">Order summary</h2>
      <Breakdown rows={rows} />
      <p class="muted" role="status">
        {quoting ? 'Updating the totals…' : ''}
      </p>
    </section>
  )
}
