import type { catalog } from '@emporium/contracts'
import type { ProductView } from './ports.js'

/** A product as API.md shows it (internal fields dropped). */
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
  }
}
