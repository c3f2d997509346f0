import type { Product } from '@emporium/sdk'
import { formatMoney } from '../lib/format'
import { Link } from '../lib/router'

/** A product in a grid: image, name, price (from the cheapest variant's), availability. */
export function ProductCard({ product }: { product: Product }) {
  const range = product.priceRange
  const varied = range !== undefined && range.max.amount > range.min.amount
  return (
    <li class="card">
      {/* A square box whatever the picture (styles.css): one that loads later moves nothing. */}
      <img src={product.imageUrl} alt="" width={240} height={240} loading="lazy" />
      <h3>
        <Link href={`/products/${encodeURIComponent(product.id)}`}>{product.name}</Link>
      </h3>
      <p class="price">
        {/* Variants at several prices: the cheapest, as a floor. */}
        {varied ? `From ${formatMoney(product.price)}` : formatMoney(product.price)}
      </p>
      <p class={product.available > 0 ? 'stock' : 'stock out'}>
        {product.available > 0 ? 'In stock' : 'Out of stock'}
      </p>
    </li>
  )
}
