import { randomKey, type PlaceOrderBody } from '@emporium/sdk'
import { useEffect, useRef, useState } from 'preact/hooks'
import { addAddress, listAddresses, type SavedAddress } from '../api/account'
import { cartStore, emptyCart, refreshCart } from '../api/cart'
import type { Destination } from '../api/checkout'
import { shop, unwrap } from '../api/client'
import { guestCart } from '../api/guest'
import { isTooManyDeclines } from '../api/problems'
import { session } from '../api/session'
import { AddressFields } from '../components/address-fields'
import { CardFields, readCard } from '../components/card-fields'
import { AddressChoices, UnavailableLines } from '../components/checkout-lines'
import { CheckoutSummary, PromotionField, ShippingChoice } from '../components/checkout-options'
import { ErrorMessage, Loading, useTitle } from '../components/ui'
import { addressBody, readAddress } from '../lib/address'
import {
  clearDraft,
  guestDraftId,
  loadDraft,
  saveDraft,
  type CheckoutDraft,
} from '../lib/checkout-draft'
import { defaultCountry } from '../lib/countries'
import { formatMoney } from '../lib/format'
import { withRetryAfter } from '../lib/retry-after'
import { Link, navigate, useLocation } from '../lib/router'
import { useStore } from '../lib/store'
import { destinationOf, sameDestination } from '../lib/totals'
import { RequireShopper } from './auth'
import { PlacedOrder } from './checkout-placed'
import { isPromotionRefusal, useQuote } from './checkout-quote'

export function CheckoutPage() {
  useTitle('Checkout')
  const { query } = useLocation()
  const placed = query.get('order')
  // Placed: the checkout follows the order's payment, and takes another card after a decline.
  if (placed) {
    return (
      <RequireShopper>
        <PlacedOrder id={placed} />
      </RequireShopper>
    )
  }
  return <Checkout />
}

/** Placement tries when the shop is shedding a burst, the first included. */
const placementTries = 5

/** How long the typed address rests before it is quoted again. */
const quoteDelayMs = 400

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
  const signedInAs = useStore(session)
  const hasGuestCart = useStore(guestCart)
  const stored = useStore(cartStore)
  // A signed-out shopper without a guest cart has an empty one.
  const value = signedInAs || hasGuestCart ? stored : emptyCart()
  const guest = signedInAs === null
  const userId = signedInAs?.user.id ?? guestDraftId
  // What the shopper typed before a reload, kept per account (never the card).
  const draft = useRef<CheckoutDraft>(loadDraft(userId))
  // The address book: undefined while it loads; empty when it has none or cannot be read (the
  // checkout then takes a new address, as it would without a book). A guest has none.
  const [saved, setSaved] = useState<SavedAddress[] | undefined>(guest ? [] : undefined)
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
  // Where a new address sends the order, as typed (quoted once the typing rests).
  const [typed, setTyped] = useState<Destination | undefined>(() =>
    destinationOf({
      country: draft.current.address.country || defaultCountry,
      region: draft.current.address.region,
      postalCode: draft.current.address.postalCode,
    }),
  )
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const [methodId, setMethodId] = useState<string | undefined>(draft.current.shippingMethodId)
  const [promotion, setPromotion] = useState<string | undefined>(draft.current.promotionCode)
  const [refusal, setRefusal] = useState<unknown>(undefined)

  // The cart as it is now: a product may have stopped being sold since it was last read.
  useEffect(() => {
    void refreshCart().catch(() => undefined)
    return () => clearTimeout(typing.current)
  }, [])
  useEffect(() => {
    if (guest) return
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
  }, [guest])

  const chosen = saved?.find((address) => address.id === choice)
  const destination = saved === undefined ? undefined : chosen ? destinationOf(chosen) : typed
  const quote = useQuote(
    {
      destination,
      shippingMethodId: methodId,
      promotionCode: promotion,
      cartStamp: value ? `${value.updatedAt}:${value.itemCount}` : '',
    },
    {
      onMethodRefused: () => chooseMethod(undefined),
      onPromotionRefused: (failure) => {
        setRefusal(failure)
        applyPromotion(undefined)
      },
    },
  )

  /** Keeps the form (and the choices) as the draft. */
  function keepDraft(patch: Partial<CheckoutDraft> = {}) {
    const element = form.current
    const next: CheckoutDraft = { ...draft.current, choice: chosenId.current, ...patch }
    if (element) {
      const data = new FormData(element)
      // The new address's fields are on the page only while it is chosen.
      if (data.has('line1')) next.address = readAddress(data)
      if (data.has('line1')) next.save = data.get('saveAddress') === 'on'
      if (data.has('email')) next.email = data.get('email')?.toString().trim() ?? ''
    }
    draft.current = next
    saveDraft(userId, next)
  }

  /** The typed address changed: quote its destination once the typing rests. */
  function noteTyping() {
    const element = form.current
    if (!element) return
    const data = new FormData(element)
    if (!data.has('line1')) return
    const text = (name: string) => data.get(name)?.toString() ?? ''
    const next = destinationOf({
      country: text('country'),
      region: text('region'),
      postalCode: text('postalCode'),
    })
    clearTimeout(typing.current)
    typing.current = setTimeout(
      () => setTyped((previous) => (sameDestination(previous, next) ? previous : next)),
      quoteDelayMs,
    )
  }

  function edited() {
    keepDraft()
    noteTyping()
  }

  function choose(next: string) {
    chosenId.current = next
    keepDraft()
    setChoice(next)
  }

  function chooseMethod(next: string | undefined) {
    setMethodId(next)
    keepDraft({ shippingMethodId: next })
  }

  function applyPromotion(code: string | undefined) {
    if (code) setRefusal(undefined)
    setPromotion(code)
    keepDraft({ promotionCode: code })
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    if (submitting.current) return
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const typedAddress = chosen ? undefined : readAddress(form)
    const saveTyped = !guest && typedAddress !== undefined && form.get('saveAddress') === 'on'
    // The method the shopper sees checked: theirs, else the quote's (the cheapest).
    const shippingMethodId = methodId ?? quote.quote?.shippingMethod?.id
    const email = form.get('email')?.toString().trim()
    const body: PlaceOrderBody = {
      shippingAddress: chosen ? shippingOf(chosen) : addressBody(typedAddress!),
      payment: readCard(form),
      ...(shippingMethodId ? { shippingMethodId } : {}),
      ...(promotion ? { promotionCode: promotion } : {}),
      ...(guest && email ? { email } : {}),
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
            shop.POST('/api/v1/orders', {
              body,
              params: { header: { 'idempotency-key': key } },
            }),
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
        void addAddress({ ...addressBody(typedAddress), isDefault: saved?.length === 0 }).catch(
          () => undefined,
        )
      }
      // The checkout follows the payment: a declined card is paid again here.
      navigate(`/checkout?order=${encodeURIComponent(order.id)}`, { replace: true })
    } catch (failure) {
      const status = (failure as { status?: number }).status
      if (isPromotionRefusal(failure)) {
        setRefusal(failure)
        applyPromotion(undefined)
      }
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
  const total = quote.quote?.total ?? value.subtotal
  return (
    <section>
      <h1>Checkout</h1>
      <p>
        {value.itemCount} {value.itemCount === 1 ? 'item' : 'items'}, subtotal{' '}
        <strong>{formatMoney(value.subtotal)}</strong> · <Link href="/cart">Edit cart</Link>
      </p>
      {guest && (
        <p class="muted">
          Checking out as a guest. <Link href="/signin?next=%2Fcheckout">Sign in</Link> to use your
          address book and keep your orders together.
        </p>
      )}
      <form
        class="checkout"
        ref={form}
        onSubmit={(event) => void submit(event)}
        onInput={edited}
        onChange={edited}
      >
        {guest && (
          <fieldset>
            <legend>Contact</legend>
            <div class="field">
              <label for="co-email">Email</label>
              <input
                id="co-email"
                name="email"
                type="email"
                required
                maxLength={254}
                autoComplete="email"
                defaultValue={draft.current.email ?? ''}
                aria-describedby="co-email-hint"
              />
              <small id="co-email-hint" class="muted">
                Your confirmation and a link to your order are sent here.
              </small>
            </div>
          </fieldset>
        )}
        <fieldset>
          <legend>Shipping address</legend>
          {saved === undefined ? (
            <Loading label="Loading your addresses…" />
          ) : (
            <>
              {saved.length > 0 && (
                <AddressChoices saved={saved} choice={choice} onChoose={choose} />
              )}
              {choice === 'new' && (
                <>
                  <AddressFields prefix="co" values={draft.current.address} />
                  {!guest && (
                    <div class="field checkbox">
                      <input
                        id="co-save-address"
                        name="saveAddress"
                        type="checkbox"
                        defaultChecked={draft.current.save}
                      />
                      <label for="co-save-address">Save this address to my address book</label>
                    </div>
                  )}
                </>
              )}
            </>
          )}
        </fieldset>
        <ShippingChoice
          quote={quote.quote}
          chosenId={methodId}
          hasDestination={destination !== undefined}
          onChoose={chooseMethod}
        />
        <PromotionField
          applied={promotion}
          accepted={promotion !== undefined && quote.quote?.promotionCode === promotion}
          refusal={refusal}
          onApply={applyPromotion}
          onRemove={() => applyPromotion(undefined)}
        />
        <CheckoutSummary cart={value} quote={quote.quote} quoting={quote.quoting} />
        {quote.error !== undefined && (
          <p class="muted">
            Shipping and tax could not be worked out just now; they are added when you place the
            order.
          </p>
        )}
        <CardFields prefix="co" />
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <ErrorMessage error={error} />
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Placing order…' : `Place order · ${formatMoney(total)}`}
        </button>
      </form>
    </section>
  )
}
