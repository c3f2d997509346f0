import type { catalog } from '@emporium/contracts'
import type { ProductView } from './ports.js'

/** A product as API.md shows it, with its options and variants (internal fields dropped). */
export function toPublicProduct(view: ProductView): catalog.Product {
  return {
    id: view.id,
    sku: view.sku,
    name: view.name,
    description: view.description,
    price: view.price,
    category: view.category,
    imageUrl: view.imageUrl,
    available: view.available,
    createdAt: view.createdAt,
    priceRange: view.priceRange,
    variantCount: view.variantCount,
    options: view.options,
    variants: view.variants,
    status: view.status,
    taxClass: view.taxClass,
  }
}
