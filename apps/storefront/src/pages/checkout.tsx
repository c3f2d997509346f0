import { randomKey, type CartItem, type PlaceOrderBody } from '@emporium/sdk'
import { useEffect, useRef, useState } from 'preact/hooks'
import { cartStore, changeCart, refreshCart } from '../api/cart'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, Loading, useTitle } from '../components/ui'
import { formatMoney } from '../lib/format'
import { withRetryAfter } from '../lib/retry-after'
import { Link, navigate } from '../lib/router'
import { useStore } from '../lib/store'
import { RequireSignIn } from './auth'

export function CheckoutPage() {
  useTitle('Checkout')
  return (
    <RequireSignIn>
      <Checkout />
    </RequireSignIn>
  )
}

const testCards: [string, string][] = [
  ['4242 4242 4242 4242', 'approved'],
  ['4000 0000 0000 0002', 'declined'],
  ['4000 0000 0000 9995', 'insufficient funds'],
  ['4000 0000 0000 0119', 'fails twice, then approved'],
  ['4000 0000 0000 0259', 'approved after 5 s'],
]

/** Placement tries when the shop is shedding a burst, the first included. */
const placementTries = 5

function Checkout() {
  const value = useStore(cartStore)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  // Said while the shop is too busy to take the order and the page tries again by itself.
  const [notice, setNotice] = useState<string | undefined>(undefined)
  // One key per attempt: the same order body sent again (a retry, a double click) carries the
  // same key, so the server replays the first answer instead of placing a second order.
  const attempt = useRef<{ body: string; key: string } | undefined>(undefined)
  const submitting = useRef(false)
  // The cart as it is now: a product may have stopped being sold since it was last read.
  useEffect(() => {
    void refreshCart().catch(() => undefined)
  }, [])

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    if (submitting.current) return
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const text = (name: string) => form.get(name)?.toString().trim() ?? ''
    const optional = (name: string) => text(name) || undefined
    const body: PlaceOrderBody = {
      shippingAddress: {
        name: text('name'),
        line1: text('line1'),
        line2: optional('line2'),
        city: text('city'),
        postalCode: text('postalCode'),
        country: text('country').toUpperCase(),
        phone: optional('phone'),
      },
      payment: {
        cardNumber: text('cardNumber').replace(/[\s-]/g, ''),
        expMonth: Number(text('expMonth')),
        expYear: Number(text('expYear')),
        cvc: text('cvc'),
      },
    }
    const json = JSON.stringify(body)
    if (attempt.current?.body !== json) attempt.current = { body: json, key: randomKey() }
    submitting.current = true
    setBusy(true)
    setError(undefined)
    const key = attempt.current.key
    try {
      // A burst (a sale, a drop): the shop answers 503 with retry-after instead of queueing.
      // The same key each time: a shed placement did nothing, a placed one is replayed.
      const order = await withRetryAfter(
        () =>
          unwrap(
            shop.POST('/api/v1/orders', { body, params: { header: { 'idempotency-key': key } } }),
          ),
        {
          tries: placementTries,
          maxWaitSeconds: 10,
          onWait: (seconds, nextTry) =>
            setNotice(
              `The shop is very busy. Trying again in ${seconds} s (try ${nextTry} of ${placementTries})…`,
            ),
        },
      )
      void refreshCart().catch(() => undefined)
      navigate(`/orders/${encodeURIComponent(order.id)}`, { replace: true })
    } catch (failure) {
      const status = (failure as { status?: number }).status
      setError(
        status === 503 || status === 429
          ? new Error(
              'The shop is too busy to take your order right now, and it was not placed. ' +
                'Please try again in a minute.',
            )
          : failure,
      )
    } finally {
      setNotice(undefined)
      submitting.current = false
      setBusy(false)
    }
  }

  if (!value) return <Loading />
  // Lines no longer sold count in neither itemCount nor the subtotal, and an order with one is
  // refused: say which they are and let the shopper remove them here. The cart is not empty.
  const gone = value.items.filter((line) => line.unavailable)
  if (gone.length > 0) {
    return (
      <section>
        <h1>Checkout</h1>
        <UnavailableLines lines={gone} />
        {value.itemCount > 0 ? (
          <p>
            Once {gone.length === 1 ? 'it is' : 'they are'} removed you can check out the{' '}
            {value.itemCount === 1 ? 'item' : `${value.itemCount} items`} left (subtotal{' '}
            {formatMoney(value.subtotal)}).
          </p>
        ) : (
          <p>
            Nothing else is in your cart. <Link href="/products">Keep shopping</Link>.
          </p>
        )}
      </section>
    )
  }
  if (value.items.length === 0) {
    return (
      <section>
        <h1>Checkout</h1>
        <p>
          Your cart is empty. <Link href="/products">Go shopping</Link>.
        </p>
      </section>
    )
  }
  const year = new Date().getFullYear()
  return (
    <section>
      <h1>Checkout</h1>
      <p>
        {value.itemCount} {value.itemCount === 1 ? 'item' : 'items'}, subtotal{' '}
        <strong>{formatMoney(value.subtotal)}</strong> · <Link href="/cart">Edit cart</Link>
      </p>
      <form class="checkout" onSubmit={(event) => void submit(event)}>
        <fieldset>
          <legend>Shipping address</legend>
          <Field id="name" label="Full name" autoComplete="name" />
          <Field id="line1" label="Address" autoComplete="address-line1" />
          <Field
            id="line2"
            label="Address line 2 (optional)"
            autoComplete="address-line2"
            optional
          />
          <Field id="city" label="City" autoComplete="address-level2" />
          <Field id="postalCode" label="Postal code" autoComplete="postal-code" />
          <Field
            id="country"
            label="Country code (2 letters, e.g. US)"
            autoComplete="country"
            pattern="[A-Za-z]{2}"
            value="US"
          />
          <Field id="phone" label="Phone (optional)" autoComplete="tel" optional />
        </fieldset>
        <fieldset>
          <legend>Card</legend>
          <Field
            id="cardNumber"
            label="Card number"
            autoComplete="cc-number"
            inputMode="numeric"
            pattern="[0-9 \-]{12,23}"
            describedBy="card-hint"
          />
          <div id="card-hint" class="hint">
            <p>This is a test shop: use a test card with any future expiry and any 3-digit CVC.</p>
            <ul>
              {testCards.map(([number, outcome]) => (
                <li key={number}>
                  <code>{number}</code> — {outcome}
                </li>
              ))}
            </ul>
          </div>
          <div class="row">
            <Field
              id="expMonth"
              label="Expiry month"
              inputMode="numeric"
              pattern="(0?[1-9]|1[0-2])"
              autoComplete="cc-exp-month"
            />
            <Field
              id="expYear"
              label="Expiry year"
              inputMode="numeric"
              pattern="20[0-9]{2}"
              value={String(year + 2)}
              autoComplete="cc-exp-year"
            />
            <Field
              id="cvc"
              label="CVC"
              inputMode="numeric"
              pattern="[0-9]{3,4}"
              autoComplete="cc-csc"
            />
          </div>
        </fieldset>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <ErrorMessage error={error} />
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Placing order…' : `Place order · ${formatMoney(value.subtotal)}`}
        </button>
      </form>
    </section>
  )
}

/** The cart's lines that can no longer be bought, each with a way to take it out. */
function UnavailableLines({ lines }: { lines: CartItem[] }) {
  const [busy, setBusy] = useState<string | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  // A line is a product's, or one of its variants' (then its variantId names it).
  const lineKey = (line: CartItem) => `${line.productId}:${line.variantId ?? ''}`
  const lineName = (line: CartItem) =>
    line.variantLabel ? `${line.name} (${line.variantLabel})` : line.name
  async function remove(line: CartItem) {
    setBusy(lineKey(line))
    setError(undefined)
    try {
      const { productId, variantId } = line
      await changeCart(
        shop.DELETE('/api/v1/cart/items/{productId}', {
          params: { path: { productId }, ...(variantId ? { query: { variantId } } : {}) },
        }),
      )
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(undefined)
    }
  }
  return (
    <div class="notice error">
      <p>
        {lines.length === 1
          ? 'An item in your cart is no longer available:'
          : 'Some items in your cart are no longer available:'}
      </p>
      <ul class="unavailable-lines">
        {lines.map((line) => (
          <li key={lineKey(line)}>
            <span>
              {lineName(line)} is no longer available
              {line.quantity > 1 ? ` (${line.quantity} in your cart)` : ''}.
            </span>{' '}
            <button
              type="button"
              class="danger"
              disabled={busy === lineKey(line)}
              onClick={() => void remove(line)}
            >
              Remove<span class="visually-hidden"> {lineName(line)}</span>
            </button>
          </li>
        ))}
      </ul>
      <ErrorMessage error={error} />
    </div>
  )
}

interface FieldProps {
  id: string
  label: string
  optional?: boolean
  value?: string
  pattern?: string
  inputMode?: 'numeric' | 'text'
  autoComplete?: string
  describedBy?: string
}

function Field({
  id,
  label,
  optional,
  value,
  pattern,
  inputMode,
  autoComplete,
  describedBy,
}: FieldProps) {
  return (
    <div class="field">
      <label for={`co-${id}`}>{label}</label>
      <input
        id={`co-${id}`}
        name={id}
        required={!optional}
        defaultValue={value}
        pattern={pattern}
        inputMode={inputMode}
        autoComplete={autoComplete}
        aria-describedby={describedBy}
      />
    </div>
  )
}
