import type { catalog } from '@emporium/contracts'
import { checkGalleryOrder, mediaNotFound, normaliseAlt } from '../domain/media.js'
import type { Actor } from '../domain/audit-trail.js'
import { productNotFound, type Viewer } from './get-product.js'
import { toPublicMedia } from './media-view.js'
import type { MediaFile, MediaStore } from './ports.js'

interface Deps {
  media: MediaStore
  now: () => Date
}

/**
 * `GET /products/{id}/media`: the gallery in order; 404 for an unknown or deleted product, and
 * for a draft unless an admin asks (issue 17).
 */
export function createListMedia(deps: { media: MediaStore }) {
  return async (
    productId: string,
    viewer: Viewer = { admin: false },
  ): Promise<catalog.ProductMediaList> => {
    const gallery = await deps.media.gallery(productId, { drafts: viewer.admin })
    if (!gallery) throw productNotFound()
    return { items: gallery.map(toPublicMedia) }
  }
}

/** `PATCH /products/{id}/media/{mediaId}`: changes a picture's alt text. */
export function createUpdateMedia(deps: Deps) {
  return async (
    productId: string,
    mediaId: string,
    body: catalog.UpdateMediaBody,
    actor?: Actor,
  ): Promise<catalog.ProductMedia> => {
    const alt = normaliseAlt(body.alt)
    const updated = await deps.media.setAlt(productId, mediaId, alt, deps.now(), actor)
    if (updated === 'not_found') throw await notFound(deps.media, productId)
    return toPublicMedia(updated)
  }
}

/**
 * `PUT /products/{id}/media/order`: the gallery in a new order, which names each of its pictures
 * once (422 `CATALOG.MEDIA_ORDER_MISMATCH` otherwise). The first becomes the product's image.
 */
export function createReorderMedia(deps: Deps) {
  return async (
    productId: string,
    ids: readonly string[],
    actor?: Actor,
  ): Promise<catalog.ProductMediaList> => {
    const result = await deps.media.reorder(productId, ids, deps.now(), actor)
    if (result === 'not_found') throw productNotFound()
    if (!Array.isArray(result)) {
      checkGalleryOrder(result.current, ids)
      // The store found a mismatch the rule does not: a defect, not the client's fault.
      throw new Error('gallery order refused by the store but not by the rule')
    }
    return { items: result.map(toPublicMedia) }
  }
}

/** `DELETE /products/{id}/media/{mediaId}`: removes a picture and its files. */
export function createDeleteMedia(deps: Deps) {
  return async (productId: string, mediaId: string, actor?: Actor): Promise<void> => {
    const removed = await deps.media.remove(productId, mediaId, deps.now(), actor)
    if (removed === 'not_found') throw await notFound(deps.media, productId)
  }
}

/** `GET /media/{mediaId}/{width}.webp`: one size's bytes; 404 for any other width. */
export function createGetMediaFile(deps: { media: MediaStore }) {
  return async (mediaId: string, width: number): Promise<MediaFile> => {
    const file = await deps.media.file(mediaId, width)
    if (!file) throw mediaNotFound()
    return file
  }
}

/** Which of the two is missing: the product (or it is deleted), or the picture. */
async function notFound(media: MediaStore, productId: string) {
  return (await media.gallery(productId)) ? mediaNotFound() : productNotFound()
}
