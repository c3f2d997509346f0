import type { catalog } from '@emporium/contracts'
import { mediaUrl, primarySize } from '../domain/media.js'
import type { StoredMedia } from './ports.js'

/** A stored picture as API.md shows it: its sizes' addresses, the largest's dimensions. */
export function toPublicMedia(media: StoredMedia): catalog.ProductMedia {
  const largest = media.sizes[media.sizes.length - 1]!
  return {
    id: media.id,
    alt: media.alt,
    width: largest.width,
    height: largest.height,
    url: mediaUrl(media.id, primarySize(media.sizes).width),
    sizes: media.sizes.map((size) => ({
      width: size.width,
      height: size.height,
      url: mediaUrl(media.id, size.width),
    })),
  }
}
