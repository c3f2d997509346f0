import type { catalog } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { productImageSvg } from '../domain/product-image.js'
import type { CatalogStore } from './ports.js'
import { toPublicProduct } from './product-view.js'

export function productNotFound(): AppError {
  return new AppError('not_found', 'CATALOG.PRODUCT_NOT_FOUND', 'There is no such product.')
}

/** `GET /products/{id}`: 404 for an unknown or deleted product. */
export function createGetProduct(deps: { store: CatalogStore }) {
  return async (id: string): Promise<catalog.Product> => {
    const view = await deps.store.getProduct(id)
    if (!view) throw productNotFound()
    return toPublicProduct(view)
  }
}

/** `GET /products/{id}/image`: the generated SVG (deleted products keep theirs). */
export function createGetProductImage(deps: { store: CatalogStore }) {
  return async (id: string): Promise<string> => {
    const subject = await deps.store.imageSubject(id)
    if (!subject) throw productNotFound()
    return productImageSvg(subject)
  }
}

/** `GET /categories`. */
export function createListCategories(deps: { store: CatalogStore }) {
  return async (): Promise<catalog.CategoryList> => ({ items: await deps.store.listCategories() })
}
