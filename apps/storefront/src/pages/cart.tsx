import type { CallResult, Cart, CartItem } from '@emporium/sdk'
import { useEffect, useState } from 'preact/hooks'
import { cartStore, changeCart, emptyCart, refreshCart } from '../api/cart'
import { shop } from '../api/client'
import { guestCart } from '../api/guest'
import { session } from '../api/session'
import { ErrorMessage, Loading, Notice, useTitle } from '../components/ui'
import { formatMoney } from '../lib/format'
import { Link } from '../lib/router'
import { useStore } from '../lib/store'

export function CartPage() {
  useTitle('Your cart')
  return <CartView />
}

function CartView() {
  // A signed-out shopper without a guest cart yet has an empty one (no request needed).
  const signedIn = useStore(session) !== null
  const hasGuestCart = useStore(guestCart)
  const hasCart = signedIn || hasGuestCart
  const stored = useStore(cartStore)
  const value = hasCart ? stored : emptyCart()
  const [error, setError] = useState<unknown>(undefined)
  const [busy, setBusy] = useState<string | undefined>(undefined)
  useEffect(() => {
    refreshCart().catch(setError)
  }, [])

  async function change(productId: string, call: () => Promise<CallResult<Cart>>) {
    setBusy(productId)
    setError(undefined)
    try {
      await changeCart(call())
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(undefined)
    }
  }

  if (!value) return error ? <ErrorMessage error={error} /> : <Loading />
  return (
    <section>
      <h1>Your cart</h1>
      <ErrorMessage error={error} />
      {value.priceChanged && (
        <Notice>Some prices changed since you added the items. The new prices are shown.</Notice>
      )}
      {value.stale && (
        <Notice>
          Some prices could not be confirmed just now; they are checked again at checkout.
        </Notice>
      )}
      {value.items.length === 0 ? (
        <p>
          Your cart is empty. <Link href="/products">Go shopping</Link>.
        </p>
      ) : (
        <>
          <ul class="lines">
            {value.items.map((line) => {
              // A line is one variant of a product: the variant names it.
              const key = lineKey(line)
              const params = {
                path: { productId: line.productId },
                query: line.variantId ? { variantId: line.variantId } : {},
              }
              return (
                <CartLine
                  key={key}
                  line={line}
                  busy={busy === key}
                  onQuantity={(quantity) =>
                    void change(key, () =>
                      shop.PATCH('/api/v1/cart/items/{productId}', { params, body: { quantity } }),
                    )
                  }
                  onRemove={() =>
                    void change(key, () =>
                      shop.DELETE('/api/v1/cart/items/{productId}', { params }),
                    )
                  }
                />
              )
            })}
          </ul>
          <p class="subtotal">
            Subtotal ({value.itemCount} {value.itemCount === 1 ? 'item' : 'items'}):{' '}
            <strong>{formatMoney(value.subtotal)}</strong>
          </p>
          <p class="muted shipping-later">Shipping and tax are calculated at checkout.</p>
          {value.itemCount > 0 && (
            <Link href="/checkout" class="button primary">
              Checkout
            </Link>
          )}
        </>
      )}
    </section>
  )
}

/** A line's variant (its product's id for a product without options). */
const lineKey = (line: CartItem) => line.variantId ?? line.productId

/** A line's name with its variant's: `Tee (M / Blue)`. */
const lineName = (line: CartItem) =>
  line.variantLabel ? `${line.name} (${line.variantLabel})` : line.name

interface LineProps {
  line: CartItem
  busy: boolean
  onQuantity: (quantity: number) => void
  onRemove: () => void
}

function CartLine({ line, busy, onQuantity, onRemove }: LineProps) {
  const [quantity, setQuantity] = useState(String(line.quantity))
  useEffect(() => setQuantity(String(line.quantity)), [line.quantity])
  const inputId = `qty-${lineKey(line)}`
  function submit(event: SubmitEvent) {
    event.preventDefault()
    const next = Number(quantity)
    if (Number.isInteger(next) && next >= 0 && next <= 99 && next !== line.quantity)
      onQuantity(next)
  }
  return (
    <li class={line.unavailable ? 'line unavailable' : 'line'} aria-busy={busy}>
      <div class="line-name">
        <Link href={`/products/${encodeURIComponent(line.productId)}`}>{line.name}</Link>
        {line.variantLabel && <span class="variant">{line.variantLabel}</span>}
        <span class="muted">
          {formatMoney(line.unitPrice)} each
          {line.previousUnitPrice && ` (was ${formatMoney(line.previousUnitPrice)})`}
          {line.stale && ' · price not confirmed'}
        </span>
        {line.unavailable && (
          <span class="error-text">No longer sold: remove it to check out.</span>
        )}
      </div>
      <form class="line-qty" onSubmit={submit}>
        <label for={inputId}>Quantity of {lineName(line)}</label>
        <input
          id={inputId}
          type="number"
          min={0}
          max={99}
          value={quantity}
          onInput={(event) => setQuantity(event.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Update
        </button>
      </form>
      <span class="line-total">{formatMoney(line.lineTotal)}</span>
      <button type="button" class="danger" onClick={onRemove} disabled={busy}>
        Remove<span class="visually-hidden"> {lineName(line)}</span>
      </button>
    </li>
  )
}
