import type { Product, ProductPage, ProductStatus } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'
import { formatMoney } from '../lib/format'
import { MediaPanel } from './media-panel'
import { ProductForm } from './product-form'
import { StockPanel } from './stock-panel'

type StatusFilter = ProductStatus | 'all'

const pageSize = 50

/**
 * Products: search, filter by status, page through all of them ("Load more" follows the list's
 * `nextCursor`), create (as drafts by default), edit, publish or unpublish, delete, and each
 * one's stock and pictures.
 */
export function AdminProducts() {
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const [status, setStatus] = useState<StatusFilter>('all')
  const [round, setRound] = useState(0)
  const page = (cursor: string | undefined, signal?: AbortSignal) =>
    unwrap(
      shop.GET('/api/v1/products', {
        params: { query: { limit: pageSize, q: search || undefined, status, cursor } },
        signal,
      }),
    )
  const list = useLoad((signal) => page(undefined, signal), [search, status, round])
  const [more, setMore] = useState(false)
  const categories = useLoad(() => unwrap(shop.GET('/api/v1/categories')), [])
  const [open, setOpen] = useState<{ id: string; panel: 'edit' | 'stock' | 'media' } | undefined>()
  const [creating, setCreating] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [done, setDone] = useState('')

  const refresh = (message: string) => {
    setDone(message)
    setRound((n) => n + 1)
  }

  async function loadMore(current: ProductPage) {
    if (!current.nextCursor) return
    setMore(true)
    setError(undefined)
    try {
      const next = await page(current.nextCursor)
      list.setData({ items: [...current.items, ...next.items], nextCursor: next.nextCursor })
    } catch (failure) {
      setError(failure)
    } finally {
      setMore(false)
    }
  }

  async function setProductStatus(product: Product, to: ProductStatus) {
    setError(undefined)
    try {
      await unwrap(
        shop.PATCH('/api/v1/products/{id}', {
          params: { path: { id: product.id } },
          body: { status: to },
        }),
      )
      refresh(to === 'published' ? `Published ${product.name}.` : `${product.name} is a draft.`)
    } catch (failure) {
      setError(failure)
    }
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
      <div class="field">
        <label for="admin-status">Show</label>
        <select
          id="admin-status"
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value as StatusFilter)}
        >
          <option value="all">All products</option>
          <option value="draft">Drafts</option>
          <option value="published">Published</option>
        </select>
      </div>
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
                {product.status === 'draft' && <span class="badge draft">Draft</span>}
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
                {product.status === 'draft' ? (
                  <button type="button" onClick={() => void setProductStatus(product, 'published')}>
                    Publish<span class="visually-hidden"> {product.name}</span>
                  </button>
                ) : (
                  <button type="button" onClick={() => void setProductStatus(product, 'draft')}>
                    Unpublish<span class="visually-hidden"> {product.name}</span>
                  </button>
                )}
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
      {list.data && (
        <p class="muted" role="status">
          {list.data.items.length === 0
            ? 'No products.'
            : `Showing ${list.data.items.length} product${list.data.items.length === 1 ? '' : 's'}${list.data.nextCursor ? '' : ', all of them'}.`}
        </p>
      )}
      {list.data?.nextCursor && (
        <button type="button" disabled={more} onClick={() => void loadMore(list.data!)}>
          {more ? 'Loading…' : 'Load more products'}
        </button>
      )}
    </section>
  )
}
