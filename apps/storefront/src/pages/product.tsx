import type { Product, Variant } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { changeCart } from '../api/cart'
import { shop, unwrap } from '../api/client'
import { asShopper } from '../api/guest'
import { isNotFound } from '../api/problems'
import { session } from '../api/session'
import { ProductCard } from '../components/product-card'
import { ProductGallery } from '../components/product-gallery'
import {
  ErrorMessage,
  LoadState,
  Notice,
  ProductGridSkeleton,
  ProductSkeleton,
  useLoad,
  useTitle,
} from '../components/ui'
import { useVariantChoice, VariantPicker } from '../components/variant-picker'
import { formatMoney } from '../lib/format'
import { Link } from '../lib/router'
import { useStore } from '../lib/store'
import { NotFoundPage } from './not-found'

export function ProductPage({ params }: { params: Record<string, string> }) {
  const id = params.id!
  const product = useLoad(
    (signal) => unwrap(shop.GET('/api/v1/products/{id}', { params: { path: { id } }, signal })),
    [id],
  )
  // Another product, kept while this one loads (or after it failed), is not shown for it.
  const settled = !product.loading && product.error === undefined
  const shown = settled || product.data?.id === id ? product.data : undefined
  useTitle(shown?.name ?? 'Product')
  if (!shown) {
    return isNotFound(product.error) ? (
      <NotFoundPage what="product" />
    ) : (
      <LoadState state={{ ...product, data: shown }} placeholder={<ProductSkeleton />} />
    )
  }
  const p = shown
  return (
    <>
      <ProductDetails key={p.id} p={p} />
      <RelatedProducts key={p.id} product={p} />
    </>
  )
}

/** How many other products of the same category the page offers. */
const relatedCount = 4

/**
 * A few other products of the product's category (the listing's first page of it, the product
 * itself left out). Nothing at all when there are none or they cannot be read: it is an extra.
 */
function RelatedProducts({ product }: { product: Product }) {
  const related = useLoad(
    (signal) =>
      unwrap(
        shop.GET('/api/v1/products', {
          params: { query: { category: product.category.slug, limit: relatedCount + 1 } },
          signal,
        }),
      ),
    [product.id],
  )
  const items = (related.data?.items ?? [])
    .filter((other) => other.id !== product.id)
    .slice(0, relatedCount)
  if (related.error !== undefined || (related.data && items.length === 0)) return null
  return (
    <section class="related" aria-labelledby="related-heading">
      <h2 id="related-heading">More in {product.category.name}</h2>
      {related.data ? (
        <ul class="grid">
          {items.map((other) => (
            <ProductCard key={other.id} product={other} />
          ))}
        </ul>
      ) : (
        <ProductGridSkeleton count={relatedCount} />
      )}
    </section>
  )
}

function ProductDetails({ p }: { p: Product }) {
  // A product with options: price, stock and SKU are the chosen variant's.
  const choice = useVariantChoice(p)
  const variant = p.options?.length ? choice.variant : undefined
  const available = variant ? variant.available : p.available
  return (
    <article class="product">
      <ProductGallery product={p} />
      <div>
        <h1>{p.name}</h1>
        <p class="muted">
          {p.category.name} · SKU {variant?.sku ?? p.sku}
        </p>
        <p class="price big">{formatMoney(variant?.price ?? p.price)}</p>
        {variant && <VariantPicker product={p} chosen={choice.chosen} onChoose={choice.choose} />}
        <p class={available > 0 ? 'stock' : 'stock out'}>
          {available > 0 ? `${available} available` : 'Out of stock'}
        </p>
        <p>{p.description}</p>
        <AddToCart product={p} variant={variant} />
      </div>
    </article>
  )
}

function AddToCart({ product, variant }: { product: Product; variant?: Variant | undefined }) {
  const current = useStore(session)
  const [quantity, setQuantity] = useState(1)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [added, setAdded] = useState('')
  const available = variant ? variant.available : product.available
  if (available === 0) return null
  async function add(event: SubmitEvent) {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    setAdded('')
    try {
      const variantId = variant ? { variantId: variant.id } : {}
      // Signed out: the cart is a guest's, begun here (the gateway keeps its token in a cookie).
      await asShopper(() =>
        changeCart(
          shop.POST('/api/v1/cart/items', {
            body: { productId: product.id, ...variantId, quantity },
          }),
        ),
      )
      const label = variant?.label ? ` (${variant.label})` : ''
      setAdded(`Added ${quantity} × ${product.name}${label} to your cart.`)
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  const most = Math.min(99, available)
  return (
    <form class="add" onSubmit={(event) => void add(event)}>
      <div class="field small">
        <label for="quantity">Quantity</label>
        <input
          id="quantity"
          type="number"
          min={1}
          max={most}
          required
          value={quantity}
          onInput={(event) => setQuantity(Number(event.currentTarget.value) || 1)}
        />
      </div>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add to cart'}
      </button>
      <ErrorMessage error={error} />
      {added && (
        <Notice>
          {added} <Link href="/cart">View cart</Link>
        </Notice>
      )}
      {!current && (
        <p class="muted">
          No account needed: check out as a guest, or{' '}
          <Link href={`/signin?next=${encodeURIComponent(`/products/${product.id}`)}`}>
            sign in
          </Link>{' '}
          to keep your orders together.
        </p>
      )}
    </form>
  )
}
