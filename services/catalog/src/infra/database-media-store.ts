import { sql } from 'kysely'
import { catalog as events } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { MediaStore, StoredMedia } from '../app/ports.js'
import { mediaChanged } from '../domain/audit-trail.js'
import { maxGallerySize, mediaUrl, primarySize } from '../domain/media.js'
import { readProduct, snapshotOf, type Executor, type Trx } from './product-rows.js'
import { recordAudit } from './kysely-variants.js'

export interface DatabaseMediaStoreDeps {
  database: Database
  outbox: Outbox
}

/** A picture's row joined with one of its files (the bytes left out). */
interface MediaRow {
  id: string
  product_id: string
  alt: string
  created_at: Date | string
  width: number | string
  height: number | string
  etag: string
}

/** Rows of pictures in gallery order, each picture's sizes narrowest first, as StoredMedia. */
function toMedia(rows: MediaRow[]): StoredMedia[] {
  const byId = new Map<string, StoredMedia>()
  for (const row of rows) {
    let media = byId.get(row.id)
    if (!media) {
      media = {
        id: row.id,
        productId: row.product_id,
        alt: row.alt,
        sizes: [],
        createdAt: new Date(row.created_at).toISOString(),
      }
      byId.set(row.id, media)
    }
    media.sizes.push({ width: Number(row.width), height: Number(row.height), etag: row.etag })
  }
  return [...byId.values()]
}

async function galleryIn(executor: Executor, productId: string, mediaId?: string) {
  const { rows } = await sql<MediaRow>`
    select m.id, m.product_id, m.alt, m.created_at, f.width, f.height, f.etag
    from product_media m join media_files f on f.media_id = m.id
    where m.product_id = ${productId} ${mediaId === undefined ? sql`` : sql`and m.id = ${mediaId}`}
    order by m.position, m.id, f.width`.execute(executor)
  return toMedia(rows)
}

/** Locks a product not deleted (gallery writes run one at a time per product); its image_url. */
async function lockProduct(trx: Trx, productId: string) {
  const { rows } = await sql<{ image_url: string | null }>`
    select image_url from products where id = ${productId} and deleted_at is null
    for update`.execute(trx)
  return rows[0]
}

/**
 * The MediaStore in the catalog's own database (PostgreSQL, or the embedded PGlite): pictures'
 * sizes as bytea. Every gallery write locks its product's row first, then, when the gallery's
 * first picture changed, sets the product's `image_url` to it (or back to what it was before
 * the gallery, when the last picture goes) and records `product.updated` in the same
 * transaction: carts and orders keep a copy of the image address.
 */
export function createDatabaseMediaStore(deps: DatabaseMediaStoreDeps): MediaStore {
  const { database, outbox } = deps
  const db = database.db

  async function followFirstPicture(
    trx: Trx,
    productId: string,
    imageUrl: string | null,
    now: Date,
  ) {
    const [first] = await sql<{ id: string }>`
      select id from product_media where product_id = ${productId}
      order by position, id limit 1`
      .execute(trx)
      .then((r) => r.rows)
    const kept = await trx
      .selectFrom('media_galleries')
      .select('replaced_image_url')
      .where('product_id', '=', productId)
      .executeTakeFirst()
    let next: string | null
    if (first) {
      const [media] = await galleryIn(trx, productId, first.id)
      next = mediaUrl(first.id, primarySize(media!.sizes).width)
      if (!kept) {
        await trx
          .insertInto('media_galleries')
          .values({ product_id: productId, replaced_image_url: imageUrl })
          .execute()
      }
    } else {
      if (!kept) return
      next = kept.replaced_image_url as string | null
      await trx.deleteFrom('media_galleries').where('product_id', '=', productId).execute()
    }
    if (next === imageUrl) return
    await trx
      .updateTable('products')
      .set({ image_url: next, updated_at: now })
      .where('id', '=', productId)
      .execute()
    const view = (await readProduct(trx, productId))!
    await outbox.add(trx, events.ProductUpdated, snapshotOf(view))
  }

  return {
    async gallery(productId, options = {}) {
      // One statement: the product's row, joined to its pictures if any (a product's page reads
      // them with the product instead: readProductWithGallery).
      const { rows } = await sql<{ [K in keyof MediaRow]: MediaRow[K] | null }>`
        select m.id, m.product_id, m.alt, m.created_at, f.width, f.height, f.etag
        from products p
        left join (product_media m join media_files f on f.media_id = m.id)
          on m.product_id = p.id
        where p.id = ${productId} and p.deleted_at is null
          ${options.drafts === false ? sql`and p.status = 'published'` : sql``}
        order by m.position, m.id, f.width`.execute(db)
      if (rows.length === 0) return undefined
      return toMedia(rows.filter((row): row is MediaRow => row.id !== null))
    },

    async add(media, actor) {
      return database.transaction(async (trx) => {
        const product = await lockProduct(trx, media.productId)
        if (!product) return 'not_found' as const
        const { rows } = await sql<{ count: number | string; last: number | null }>`
          select count(*) as count, max(position) as last from product_media
          where product_id = ${media.productId}`.execute(trx)
        if (Number(rows[0]!.count) >= maxGallerySize) return 'gallery_full' as const
        await trx
          .insertInto('product_media')
          .values({
            id: media.id,
            product_id: media.productId,
            position: rows[0]!.last === null ? 0 : Number(rows[0]!.last) + 1,
            alt: media.alt,
            source_format: media.source.format,
            source_bytes: media.source.bytes,
            created_at: media.now,
            updated_at: media.now,
          })
          .execute()
        await trx
          .insertInto('media_files')
          .values(
            media.sizes.map((size) => ({
              media_id: media.id,
              width: size.width,
              height: size.height,
              content_type: 'image/webp',
              etag: size.etag,
              bytes: Buffer.from(size.bytes.buffer, size.bytes.byteOffset, size.bytes.byteLength),
            })),
          )
          .execute()
        await followFirstPicture(trx, media.productId, product.image_url, media.now)
        if (actor) {
          const after = { mediaId: media.id, alt: media.alt }
          const data = mediaChanged(
            actor,
            'media.uploaded',
            media.productId,
            null,
            after,
            media.now,
          )
          await recordAudit(outbox, trx, data)
        }
        return (await galleryIn(trx, media.productId, media.id))[0]!
      })
    },

    async setAlt(productId, mediaId, alt, now, actor) {
      return database.transaction(async (trx) => {
        if (!(await lockProduct(trx, productId))) return 'not_found' as const
        const before = await trx
          .selectFrom('product_media')
          .select('alt')
          .where('id', '=', mediaId)
          .where('product_id', '=', productId)
          .executeTakeFirst()
        const result = await trx
          .updateTable('product_media')
          .set({ alt, updated_at: now })
          .where('id', '=', mediaId)
          .where('product_id', '=', productId)
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) return 'not_found' as const
        if (actor && before && before.alt !== alt) {
          const data = mediaChanged(
            actor,
            'media.updated',
            productId,
            { mediaId, alt: before.alt },
            { mediaId, alt },
            now,
          )
          await recordAudit(outbox, trx, data)
        }
        return (await galleryIn(trx, productId, mediaId))[0]!
      })
    },

    async reorder(productId, ids, now, actor) {
      return database.transaction(async (trx) => {
        const product = await lockProduct(trx, productId)
        if (!product) return 'not_found' as const
        const current = (
          await trx
            .selectFrom('product_media')
            .select('id')
            .where('product_id', '=', productId)
            .orderBy('position')
            .orderBy('id')
            .execute()
        ).map((row) => row.id as string)
        const same =
          ids.length === current.length &&
          new Set(ids).size === ids.length &&
          ids.every((id) => current.includes(id))
        if (!same) return { current }
        for (const [position, id] of ids.entries()) {
          await trx
            .updateTable('product_media')
            .set({ position, updated_at: now })
            .where('id', '=', id)
            .execute()
        }
        await followFirstPicture(trx, productId, product.image_url, now)
        if (actor && ids.some((id, i) => id !== current[i])) {
          const data = mediaChanged(
            actor,
            'media.reordered',
            productId,
            { order: current },
            { order: [...ids] },
            now,
          )
          await recordAudit(outbox, trx, data)
        }
        return galleryIn(trx, productId)
      })
    },

    async remove(productId, mediaId, now, actor) {
      return database.transaction(async (trx) => {
        const product = await lockProduct(trx, productId)
        if (!product) return 'not_found' as const
        const result = await trx
          .deleteFrom('product_media')
          .where('id', '=', mediaId)
          .where('product_id', '=', productId)
          .executeTakeFirst()
        if (Number(result.numDeletedRows) === 0) return 'not_found' as const
        await followFirstPicture(trx, productId, product.image_url, now)
        if (actor) {
          const data = mediaChanged(actor, 'media.deleted', productId, { mediaId }, null, now)
          await recordAudit(outbox, trx, data)
        }
        return 'removed' as const
      })
    },

    async file(mediaId, width) {
      const row = await db
        .selectFrom('media_files')
        .select(['content_type', 'etag', 'bytes'])
        .where('media_id', '=', mediaId)
        .where('width', '=', width)
        .executeTakeFirst()
      if (!row) return undefined
      return {
        bytes: row.bytes as Uint8Array,
        contentType: row.content_type as string,
        etag: row.etag as string,
      }
    },
  }
}
