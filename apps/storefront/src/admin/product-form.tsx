import type { Category, CreateProductBody, Product } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { ErrorMessage } from '../components/ui'
import { parsePrice, priceText } from '../lib/format'

interface Props {
  /** The product to edit; none: a new one. */
  product?: Product
  categories: Category[]
  onSave: (body: CreateProductBody) => Promise<void>
  onCancel: () => void
}

/**
 * Creates or edits a product (SKU, initial stock and status only when creating: a new product is
 * a draft unless chosen otherwise; the list publishes and unpublishes).
 */
export function ProductForm({ product, categories, onSave, onCancel }: Props) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const prefix = product ? `edit-${product.id}` : 'new'
  const currency = product?.price.currency ?? 'USD'

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const text = (name: string) => form.get(name)?.toString().trim() ?? ''
    const amount = parsePrice(text('price'), currency)
    if (amount === undefined) {
      setError(new Error('Price must be an amount like 12.50.'))
      return
    }
    const body: CreateProductBody = {
      sku: product?.sku ?? text('sku'),
      name: text('name'),
      description: text('description'),
      price: { amount, currency },
      categoryId: text('categoryId'),
    }
    if (!product && text('onHand')) body.onHand = Number(text('onHand'))
    // New products start as drafts unless published at once (issue 17).
    if (!product) body.status = text('status') === 'published' ? 'published' : 'draft'
    setBusy(true)
    setError(undefined)
    try {
      await onSave(body)
    } catch (failure) {
      setError(failure)
      setBusy(false)
    }
  }

  return (
    <form class="panel stack" onSubmit={(event) => void submit(event)}>
      <h3>{product ? `Edit ${product.name}` : 'New product'}</h3>
      {!product && (
        <div class="field">
          <label for={`${prefix}-sku`}>SKU</label>
          <input
            id={`${prefix}-sku`}
            name="sku"
            required
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
            maxLength={64}
          />
        </div>
      )}
      <div class="field">
        <label for={`${prefix}-name`}>Name</label>
        <input
          id={`${prefix}-name`}
          name="name"
          required
          maxLength={200}
          defaultValue={product?.name}
        />
      </div>
      <div class="field">
        <label for={`${prefix}-description`}>Description</label>
        <textarea
          id={`${prefix}-description`}
          name="description"
          rows={3}
          maxLength={5000}
          defaultValue={product?.description}
        />
      </div>
      <div class="field">
        <label for={`${prefix}-price`}>Price ({currency})</label>
        <input
          id={`${prefix}-price`}
          name="price"
          required
          inputMode="decimal"
          defaultValue={product ? priceText(product.price) : ''}
        />
      </div>
      <div class="field">
        <label for={`${prefix}-category`}>Category</label>
        <select id={`${prefix}-category`} name="categoryId" required>
          {categories.map((category) => (
            <option
              key={category.id}
              value={category.id}
              selected={category.id === product?.category.id}
            >
              {category.name}
            </option>
          ))}
        </select>
      </div>
      {!product && (
        <div class="field">
          <label for={`${prefix}-onhand`}>Initial stock on hand</label>
          <input id={`${prefix}-onhand`} name="onHand" type="number" min={0} defaultValue="0" />
        </div>
      )}
      {!product && (
        <div class="field">
          <label for={`${prefix}-status`}>Status</label>
          <select id={`${prefix}-status`} name="status" aria-describedby={`${prefix}-status-hint`}>
            <option value="draft">Draft</option>
            <option value="published">Published</option>
          </select>
          <p id={`${prefix}-status-hint`} class="muted">
            A draft is seen in the back office only, until you publish it.
          </p>
        </div>
      )}
      <ErrorMessage error={error} />
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : product ? 'Save changes' : 'Create product'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
