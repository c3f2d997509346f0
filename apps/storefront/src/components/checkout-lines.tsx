import type { CartItem } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import type { SavedAddress } from '../api/account'
import { changeCart } from '../api/cart'
import { shop } from '../api/client'
import { addressLine, addressTitle } from '../pages/addresses'
import { ErrorMessage } from './ui'

/** The address book's addresses and "A new address", as radio buttons (the checkout's). */
export function AddressChoices({
  saved,
  choice,
  onChoose,
}: {
  saved: SavedAddress[]
  choice: string
  onChoose: (id: string) => void
}) {
  return (
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
            onChange={() => onChoose(id)}
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
  )
}

/** The cart's lines that can no longer be bought, each with a way to take it out. */
export function UnavailableLines({ lines }: { lines: CartItem[] }) {
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
