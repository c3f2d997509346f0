import type { Product } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'

/** A product's stock: on hand, reserved, available; sets on hand. */
export function StockPanel({ product, onSaved }: { product: Product; onSaved: () => void }) {
  const params = { path: { id: product.id } }
  const stock = useLoad(
    (signal) => unwrap(shop.GET('/api/v1/products/{id}/stock', { params, signal })),
    [product.id],
  )
  const [onHand, setOnHand] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [saved, setSaved] = useState('')

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    const value = Number(onHand)
    if (!Number.isInteger(value) || value < 0) {
      setError(new Error('On hand must be a whole number, 0 or more.'))
      return
    }
    setBusy(true)
    setError(undefined)
    setSaved('')
    try {
      const level = await unwrap(
        shop.PUT('/api/v1/products/{id}/stock', { params, body: { onHand: value } }),
      )
      stock.setData(level)
      setSaved(`Stock of ${product.name} set to ${level.onHand} on hand.`)
      onSaved()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  const id = `stock-${product.id}`
  return (
    <div class="panel">
      <h3>Stock of {product.name}</h3>
      <LoadState state={stock} />
      {stock.data && (
        <dl class="stock-levels">
          <div>
            <dt>On hand</dt>
            <dd>{stock.data.onHand}</dd>
          </div>
          <div>
            <dt>Reserved</dt>
            <dd>{stock.data.reserved}</dd>
          </div>
          <div>
            <dt>Available</dt>
            <dd>{stock.data.available}</dd>
          </div>
        </dl>
      )}
      <form class="row" onSubmit={(event) => void submit(event)}>
        <div class="field small">
          <label for={id}>Set on hand</label>
          <input
            id={id}
            type="number"
            min={0}
            required
            value={onHand}
            onInput={(e) => setOnHand(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Set stock'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {saved && <Notice>{saved}</Notice>}
    </div>
  )
}
