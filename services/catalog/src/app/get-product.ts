import type { catalog } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { productImageSvg } from '../domain/product-image.js'
import { toPublicMedia } from './media-view.js'
import type { CatalogStore, ProductView, StoredMedia } from './ports.js'
import { toPublicProduct } from './product-view.js'

export function productNotFound(): AppError {
  return new AppError('not_found', 'CATALOG.PRODUCT_NOT_FOUND', 'There is no such product.')
}

/** Who reads a product: admins see drafts (issue 17). */
export interface Viewer {
  admin: boolean
}

/**
 * `GET /products/{id}`: 404 for an unknown or deleted product, and for a draft unless an admin
 * asks (the same 404: a shopper, and the cart, cannot tell a draft from nothing). With `gallery`,
 * the product's pictures in gallery order (`media`) and the first (`thumbnail`), when it has
 * any, read in the product's statement: a product without pictures reads as it did before them (and as its create and update
 * answers do).
 */
export function createGetProduct(deps: { store: CatalogStore; gallery?: boolean }) {
  return async (id: string, viewer: Viewer = { admin: false }): Promise<catalog.Product> => {
    const view = deps.gallery
      ? await deps.store.getProductWithGallery(id)
      : await deps.store.getProduct(id)
    if (!view || (view.status === 'draft' && !viewer.admin)) throw productNotFound()
    const { gallery, ...rest } = view as ProductView & { gallery?: StoredMedia[] }
    const product = toPublicProduct(rest)
    if (!gallery?.length) return product
    const media = gallery.map(toPublicMedia)
    return { ...product, media, thumbnail: media[0]! }
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
