import { randomKey, type CartItem, type PlaceOrderBody } from '@emporium/sdk'
import { useEffect, useRef, useState } from 'preact/hooks'
import { addAddress, listAddresses, type SavedAddress } from '../api/account'
import { cartStore, changeCart, refreshCart } from '../api/cart'
import { shop, unwrap } from '../api/client'
import { isTooManyDeclines } from '../api/problems'
import { session } from '../api/session'
import { AddressFields } from '../components/address-fields'
import { CardFields, readCard } from '../components/card-fields'
import { ErrorMessage, Loading, useTitle } from '../components/ui'
import { addressBody, readAddress } from '../lib/address'
import { clearDraft, loadDraft, saveDraft, type CheckoutDraft } from '../lib/checkout-draft'
import { formatMoney } from '../lib/format'
import { withRetryAfter } from '../lib/retry-after'
import { Link, navigate } from '../lib/router'
import { useStore } from '../lib/store'
import { addressLine, addressTitle } from './addresses'
import { RequireSignIn } from './auth'

export function CheckoutPage() {
  useTitle('Checkout')
  return (
    <RequireSignIn>
      <Checkout />
    </RequireSignIn>
  )
}

/** Placement tries when the shop is shedding a burst, the first included. */
const placementTries = 5

/** A saved address as an order ships to it (its empty optional fields left out). */
const shippingOf = (address: SavedAddress): PlaceOrderBody['shippingAddress'] =>
  addressBody({
    name: address.name,
    line1: address.line1,
    line2: address.line2 ?? '',
    city: address.city,
    postalCode: address.postalCode,
    country: address.country,
    region: address.region ?? '',
    phone: address.phone ?? '',
  })

function Checkout() {
  const value = useStore(cartStore)
  const userId = useStore(session)?.user.id ?? ''
  // What the shopper typed before a reload, kept per account (never the card).
  const draft = useRef<CheckoutDraft>(loadDraft(userId))
  // The address book: undefined while it loads; empty when it has none or cannot be read (the
  // checkout then takes a new address, as it would without a book).
  const [saved, setSaved] = useState<SavedAddress[] | undefined>(undefined)
  const [choice, setChoice] = useState<string>('new')
  // The choice as the draft keeps it, ahead of the render that shows it.
  const chosenId = useRef('new')
  const form = useRef<HTMLFormElement>(null)
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
  useEffect(() => {
    let live = true
    listAddresses().then(
      (items) => {
        if (!live) return
        const kept = draft.current.choice
        // The draft's choice if it is still in the book, else the default (the book's first).
        chosenId.current =
          kept === 'new' || items.some((a) => a.id === kept) ? kept! : (items[0]?.id ?? 'new')
        setChoice(chosenId.current)
        setSaved(items)
      },
      () => live && setSaved([]),
    )
    return () => {
      live = false
    }
  }, [])

  /** Keeps the address part of the form (and the choice) as the draft. */
  function keepDraft() {
    const element = form.current
    if (!element || !userId) return
    const data = new FormData(element)
    const next: CheckoutDraft = { ...draft.current, choice: chosenId.current }
    // The new address's fields are on the page only while it is chosen.
    if (data.has('line1')) next.address = readAddress(data)
    if (data.has('line1')) next.save = data.get('saveAddress') === 'on'
    draft.current = next
    saveDraft(userId, next)
  }

  function choose(next: string) {
    chosenId.current = next
    keepDraft()
    setChoice(next)
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    if (submitting.current) return
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const chosen = saved?.find((address) => address.id === choice)
    const typed = chosen ? undefined : readAddress(form)
    const saveTyped = typed !== undefined && form.get('saveAddress') === 'on'
    const body: PlaceOrderBody = {
      shippingAddress: chosen ? shippingOf(chosen) : addressBody(typed!),
      payment: readCard(form),
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
      clearDraft(userId)
      // Saved once the order is placed; a failure to save (a full book) leaves the order be.
      if (saveTyped) {
        void addAddress({ ...addressBody(typed), isDefault: saved?.length === 0 }).catch(
          () => undefined,
        )
      }
      navigate(`/orders/${encodeURIComponent(order.id)}`, { replace: true })
    } catch (failure) {
      const status = (failure as { status?: number }).status
      setError(
        (status === 503 || status === 429) && !isTooManyDeclines(failure)
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
  return (
    <section>
      <h1>Checkout</h1>
      <p>
        {value.itemCount} {value.itemCount === 1 ? 'item' : 'items'}, subtotal{' '}
        <strong>{formatMoney(value.subtotal)}</strong> · <Link href="/cart">Edit cart</Link>
      </p>
      <form
        class="checkout"
        ref={form}
        onSubmit={(event) => void submit(event)}
        onInput={() => keepDraft()}
        onChange={() => keepDraft()}
      >
        <fieldset>
          <legend>Shipping address</legend>
          {saved === undefined ? (
            <Loading label="Loading your addresses…" />
          ) : (
            <>
              {saved.length > 0 && (
                <div class="address-choices">
                  {[
                    ...saved.map((a) => ({ id: a.id, address: a as SavedAddress | undefined })),
                    { id: 'new', address: undefined },
                  ].map(({ id, address }) => (
                    <div class="address-choice" key={id}>
                      <input
                        type="radio"
                        id={`co-choice-${id}`}
                        name="addressChoice"
                        value={id}
                        checked={choice === id}
                        onChange={() => choose(id)}
                      />
                      <label for={`co-choice-${id}`}>
                        {address ? (
                          <>
                            <strong>{addressTitle(address)}</strong>
                            {address.isDefault && <span class="badge">Default</span>}
                            <br />
                            {addressLine(address)}
                          </>
                        ) : (
                          <strong>A new address</strong>
                        )}
                      </label>
                    </div>
                  ))}
                </div>
              )}
              {choice === 'new' && (
                <>
                  <AddressFields prefix="co" values={draft.current.address} />
                  <div class="field checkbox">
                    <input
                      id="co-save-address"
                      name="saveAddress"
                      type="checkbox"
                      defaultChecked={draft.current.save}
                    />
                    <label for="co-save-address">Save this address to my address book</label>
                  </div>
                </>
              )}
            </>
          )}
        </fieldset>
        <CardFields prefix="co" />
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
