import { createHash, randomUUID } from 'node:crypto'
import type { catalog } from '@emporium/contracts'
import {
  checkImageHeader,
  galleryFull,
  normaliseAlt,
  renditionSizes,
  sniffImageFormat,
  unreadableImage,
  unsupportedImage,
  type MediaLimits,
} from '../domain/media.js'
import type { Actor } from '../domain/audit-trail.js'
import { productNotFound } from './get-product.js'
import { toPublicMedia } from './media-view.js'
import type { ImageProcessor, MediaStore } from './ports.js'

export interface UploadMediaDeps {
  media: MediaStore
  images: ImageProcessor
  limits: MediaLimits
  now: () => Date
  newId?: () => string
}

/** What an admin uploads: the bytes as they came, and the alt text. */
export interface Upload {
  productId: string
  bytes: Uint8Array
  alt?: string
}

/** A strong entity tag of some bytes: the first 128 bits of their SHA-256, base64url. */
export function etagOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 22)
}

/**
 * `POST /products/{id}/media`: checks the bytes (their signature, then the decoder's reading of
 * the header: format, dimensions, pixel count) before decoding a pixel, then resizes them to
 * each width as WebP and adds the picture at the end of the product's gallery. The product is
 * looked up first, so an upload for an unknown one costs no decoding. 415 for bytes that are not
 * a JPEG, PNG or WebP picture, 422 for one too large or damaged, 404 for an unknown product, 409
 * for a full gallery.
 */
export function createUploadMedia(deps: UploadMediaDeps) {
  const newId = deps.newId ?? randomUUID
  return async (upload: Upload, actor?: Actor): Promise<catalog.ProductMedia> => {
    const format = sniffImageFormat(upload.bytes)
    if (!format) throw unsupportedImage()
    const header = await deps.images.header(upload.bytes)
    if (!header) throw unreadableImage()
    checkImageHeader(format, header, deps.limits)
    if (!(await deps.media.gallery(upload.productId))) throw productNotFound()

    const rendered = await deps.images.toWebp(
      upload.bytes,
      renditionSizes(header),
      deps.limits.maxPixels,
    )
    if (!rendered) throw unreadableImage()
    const added = await deps.media.add(
      {
        id: newId(),
        productId: upload.productId,
        alt: normaliseAlt(upload.alt ?? ''),
        source: { format, bytes: upload.bytes.length },
        sizes: rendered.map((size) => ({ ...size, etag: etagOf(size.bytes) })),
        now: deps.now(),
      },
      actor,
    )
    if (added === 'not_found') throw productNotFound()
    if (added === 'gallery_full') throw galleryFull()
    return toPublicMedia(added)
  }
}
