import { maxGallerySize, type ImageHeader, type Size } from '../domain/media.js'
import type { ImageProcessor, MediaFile, MediaStore, StoredMedia } from './ports.js'

/**
 * An in-memory MediaStore: galleries of the products named, in order, with their files. For the
 * app layer's unit tests; the SQL adapter's own rules (the product's image) are tested against
 * real databases.
 */
export function createFakeMediaStore(productIds: string[]) {
  const galleries = new Map<string, StoredMedia[]>(productIds.map((id) => [id, []]))
  const files = new Map<string, MediaFile>()
  const store: MediaStore = {
    async gallery(productId) {
      return galleries.get(productId)?.map((media) => ({ ...media }))
    },
    async add(media) {
      const gallery = galleries.get(media.productId)
      if (!gallery) return 'not_found'
      if (gallery.length >= maxGallerySize) return 'gallery_full'
      const stored: StoredMedia = {
        id: media.id,
        productId: media.productId,
        alt: media.alt,
        sizes: media.sizes.map(({ width, height, etag }) => ({ width, height, etag })),
        createdAt: media.now.toISOString(),
      }
      gallery.push(stored)
      for (const size of media.sizes) {
        files.set(`${media.id}/${size.width}`, {
          bytes: size.bytes,
          contentType: 'image/webp',
          etag: size.etag,
        })
      }
      return stored
    },
    async setAlt(productId, mediaId, alt) {
      const media = galleries.get(productId)?.find((m) => m.id === mediaId)
      if (!media) return 'not_found'
      media.alt = alt
      return media
    },
    async reorder(productId, ids) {
      const gallery = galleries.get(productId)
      if (!gallery) return 'not_found'
      const current = gallery.map((m) => m.id)
      const same =
        ids.length === current.length &&
        new Set(ids).size === ids.length &&
        ids.every((id) => current.includes(id))
      if (!same) return { current }
      gallery.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))
      return gallery
    },
    async remove(productId, mediaId) {
      const gallery = galleries.get(productId)
      const index = gallery?.findIndex((m) => m.id === mediaId) ?? -1
      if (index < 0) return 'not_found'
      gallery!.splice(index, 1)
      return 'removed'
    },
    async file(mediaId, width) {
      return files.get(`${mediaId}/${width}`)
    },
  }
  return { store, galleries }
}

/**
 * An ImageProcessor that reads the header it is given and "renders" each size as a few bytes
 * naming it, counting its calls: the use case's order of checks shows in what it never calls.
 */
export function createFakeImages(header: ImageHeader | undefined) {
  const calls = { header: 0, toWebp: [] as Size[][] }
  let failRender = false
  const images: ImageProcessor = {
    async header() {
      calls.header++
      return header
    },
    async toWebp(_bytes, sizes) {
      calls.toWebp.push([...sizes])
      if (failRender) return undefined
      return sizes.map((size) => ({
        ...size,
        bytes: new TextEncoder().encode(`webp ${size.width}x${size.height}`),
      }))
    },
  }
  return {
    images,
    calls,
    failRendering() {
      failRender = true
    },
  }
}
