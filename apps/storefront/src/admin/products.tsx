import type { Product } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'
import { formatMoney } from '../lib/format'
import { MediaPanel } from './media-panel'
import { ProductForm } from './product-form'
import { StockPanel } from './stock-panel'

/** Products: search, create, edit, delete, and each one's stock. */
export function AdminProducts() {
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const [round, setRound] = useState(0)
  const list = useLoad(
    (signal) =>
      unwrap(
        shop.GET('/api/v1/products', {
          params: { query: { limit: 50, q: search || undefined } },
          signal,
        }),
      ),
    [search, round],
  )
  const categories = useLoad(() => unwrap(shop.GET('/api/v1/categories')), [])
  const [open, setOpen] = useState<{ id: string; panel: 'edit' | 'stock' | 'media' } | undefined>()
  const [creating, setCreating] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [done, setDone] = useState('')

  const refresh = (message: string) => {
    setDone(message)
    setRound((n) => n + 1)
  }

  async function remove(product: Product) {
    if (!window.confirm(`Delete ${product.name}? It leaves the shop; past orders keep it.`)) return
    setError(undefined)
    try {
      await unwrap(shop.DELETE('/api/v1/products/{id}', { params: { path: { id: product.id } } }))
      refresh(`Deleted ${product.name}.`)
    } catch (failure) {
      setError(failure)
    }
  }

  const categoryList = categories.data?.items ?? []
  return (
    <section aria-labelledby="admin-products">
      <h2 id="admin-products">Products &amp; stock</h2>
      <form
        class="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault()
          setSearch(q.trim())
        }}
      >
        <label for="admin-q">Search products</label>
        <input id="admin-q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={error} />
      {done && <Notice>{done}</Notice>}
      {creating ? (
        <ProductForm
          categories={categoryList}
          onCancel={() => setCreating(false)}
          onSave={async (body) => {
            const created = await unwrap(shop.POST('/api/v1/products', { body }))
            setCreating(false)
            refresh(`Created ${created.name}.`)
          }}
        />
      ) : (
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          New product
        </button>
      )}
      <LoadState state={list} />
      <ul class="admin-list">
        {list.data?.items.map((product) => (
          <li key={product.id}>
            <div class="admin-row">
              <span>
                <strong>{product.name}</strong> <span class="muted">{product.sku}</span>
              </span>
              <span>{formatMoney(product.price)}</span>
              <span>{product.available} available</span>
              <span class="actions">
                <button
                  type="button"
                  aria-expanded={open?.id === product.id && open.panel === 'edit'}
                  onClick={() =>
                    setOpen(
                      open?.id === product.id && open.panel === 'edit'
                        ? undefined
                        : { id: product.id, panel: 'edit' },
                    )
                  }
                >
                  Edit<span class="visually-hidden"> {product.name}</span>
                </button>
                <button
                  type="button"
                  aria-expanded={open?.id === product.id && open.panel === 'stock'}
                  onClick={() =>
                    setOpen(
                      open?.id === product.id && open.panel === 'stock'
                        ? undefined
                        : { id: product.id, panel: 'stock' },
                    )
                  }
                >
                  Stock<span class="visually-hidden"> of {product.name}</span>
                </button>
                <button
                  type="button"
                  aria-expanded={open?.id === product.id && open.panel === 'media'}
                  onClick={() =>
                    setOpen(
                      open?.id === product.id && open.panel === 'media'
                        ? undefined
                        : { id: product.id, panel: 'media' },
                    )
                  }
                >
                  Pictures<span class="visually-hidden"> of {product.name}</span>
                </button>
                <button type="button" class="danger" onClick={() => void remove(product)}>
                  Delete<span class="visually-hidden"> {product.name}</span>
                </button>
              </span>
            </div>
            {open?.id === product.id && open.panel === 'edit' && (
              <ProductForm
                product={product}
                categories={categoryList}
                onCancel={() => setOpen(undefined)}
                onSave={async (body) => {
                  const patch = {
                    name: body.name,
                    description: body.description,
                    price: body.price,
                    categoryId: body.categoryId,
                  }
                  await unwrap(
                    shop.PATCH('/api/v1/products/{id}', {
                      params: { path: { id: product.id } },
                      body: patch,
                    }),
                  )
                  setOpen(undefined)
                  refresh(`Saved ${body.name}.`)
                }}
              />
            )}
            {open?.id === product.id && open.panel === 'stock' && (
              <StockPanel product={product} onSaved={() => setRound((n) => n + 1)} />
            )}
            {open?.id === product.id && open.panel === 'media' && (
              <MediaPanel product={product} onChanged={() => setRound((n) => n + 1)} />
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
