import type { StoredMedia } from '../app/ports.js'

/** A picture as a statement aggregates it with `json_build_object` (see `pictureJson`). */
export interface PictureJson {
  id: string
  alt: string
  createdAt: string
  sizes: Array<{ width: number | string; height: number | string; etag: string }> | null
}

/**
 * The SQL of one picture of `product_media` row `m` as JSON, its sizes narrowest first (null
 * when it has no files yet): the product's gallery and the listing's first picture are read in
 * their product's statement with it (one round trip, issue 14 and 20).
 */
export const pictureJson = `json_build_object('id', m.id, 'alt', m.alt, 'createdAt', m.created_at,
  'sizes', (select json_agg(json_build_object('width', f.width, 'height', f.height,
      'etag', f.etag) order by f.width)
    from media_files f where f.media_id = m.id))`

/** A picture read as `pictureJson`, as the media store gives it; none without files. */
export function storedPicture(productId: string, m: PictureJson): StoredMedia | undefined {
  if (!m.sizes?.length) return undefined
  return {
    id: m.id,
    productId,
    alt: m.alt,
    sizes: m.sizes.map((f) => ({ width: Number(f.width), height: Number(f.height), etag: f.etag })),
    createdAt: new Date(m.createdAt).toISOString(),
  }
}

/** A JSON column as the driver gives it: parsed already (pg, PGlite) or as text. */
export const json = <T>(value: string | T): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value
