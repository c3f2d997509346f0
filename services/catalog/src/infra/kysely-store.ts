import { sql } from 'kysely'
import { catalog as events } from '@emporium/contracts'
import type { Database, Logger, Outbox } from '@emporium/platform'
import type { Cursor } from '../domain/cursor.js'
import type { DemoCatalog } from '../domain/demo-catalog.js'
import type { ListCriteria } from '../domain/listing.js'
import type { CatalogStore, ListPage, NewProduct, StoredMedia } from '../app/ports.js'
import {
  productChanged,
  productCreated,
  productDeleted,
  type Actor,
} from '../domain/audit-trail.js'
import { typoSimilarityThreshold } from '../domain/search-plan.js'
import { priceBounds } from '../domain/variants.js'
import { createKyselyReservations, type KyselyReservations } from './kysely-reservations.js'
import {
  createKyselyVariants,
  insertVariants,
  productUpdated,
  recordAudit,
} from './kysely-variants.js'
import { cursorAfter, listedProduct, listingSql, type ListedRow } from './listing-sql.js'
import { json, storedPicture } from './media-json.js'
import { createStatementRunner } from './prepared.js'
import { seedDemoCatalog } from './seed-demo.js'
import {
  isUniqueViolation,
  lockSkus,
  readProduct,
  readProductWithGallery,
  refreshProductPrices,
  skuInUse,
  snapshotOf,
  variantPricesLiteral,
} from './product-rows.js'

export interface KyselyStoreDeps {
  database: Database
  outbox: Outbox
  log?: Logger
}

export interface KyselyStore extends CatalogStore, KyselyReservations {
  /**
   * Sets `typoSearch`: whether pg_trgm and the trigram index are there, which migration 003 made
   * when it could (the right to create the extension: a trusted one since PG 13, so a database
   * owner can); PGlite has it too, loaded by `openDatabase`. Without it the search is full-text
   * (and prefix) only.
   */
  detectSearchFeatures(): Promise<boolean>
}

export function createKyselyStore(deps: KyselyStoreDeps): KyselyStore {
  const { database, outbox } = deps
  const db = database.db
  const run = createStatementRunner(database)
  let trigram = false

  /**
   * A search widened by pg_trgm, in a transaction of its own that sets the word similarity
   * threshold for `%>` and keeps the planner off sequential scans: pg_trgm declares its
   * similarity functions as cheap as a comparison, so on a small table the planner would
   * rather compute the similarity of every name than read the trigram index (30 times slower
   * with the 1,000 demo products).
   */
  function typoSearch(criteria: ListCriteria, after: Cursor | null) {
    return database.transaction(async (trx) => {
      await sql`select set_config('pg_trgm.word_similarity_threshold', ${String(typoSimilarityThreshold)}, true),
        set_config('enable_seqscan', 'off', true)`.execute(trx)
      return run<ListedRow>(listingSql(criteria, after, true), trx)
    })
  }

  const store: KyselyStore = {
    ...createKyselyReservations({ database, outbox }),
    ...createKyselyVariants({ database, outbox }),

    get typoSearch() {
      return trigram
    },

    async detectSearchFeatures() {
      try {
        const { rows } = await sql<{ present: boolean }>`
          select exists (select 1 from pg_extension where extname = 'pg_trgm')
            and to_regclass('products_name_trgm_idx') is not null as present`.execute(db)
        trigram = rows[0]?.present === true
      } catch (error) {
        deps.log?.warn({ err: error }, 'pg_trgm detection failed; full-text search only')
        trigram = false
      }
      deps.log?.info(
        { trigram },
        trigram ? 'typo-tolerant search on (pg_trgm)' : 'search without pg_trgm: full-text only',
      )
      return trigram
    },

    async listProducts(
      criteria: ListCriteria,
      after: Cursor | null,
      typo = false,
    ): Promise<ListPage> {
      const rows = typo
        ? await typoSearch(criteria, after)
        : await run<ListedRow>(listingSql(criteria, after))
      const more = rows.length > criteria.limit
      const page = more ? rows.slice(0, criteria.limit) : rows
      const last = page.at(-1)
      const firstPictures = new Map<string, StoredMedia>()
      for (const row of page) {
        const picture = row.first_picture
          ? storedPicture(row.id, json(row.first_picture))
          : undefined
        if (picture) firstPictures.set(row.id, picture)
      }
      return {
        items: page.map(listedProduct),
        next: more && last ? cursorAfter(criteria, last, typo) : null,
        firstPictures,
      }
    },

    getProduct: (id) => readProduct(db, id),
    getProductWithGallery: (id) => readProductWithGallery(db, id),

    async imageSubject(id) {
      const row = await db
        .selectFrom('products')
        .select(['sku', 'name'])
        .where('id', '=', id)
        .executeTakeFirst()
      return row ? { sku: row.sku, name: row.name } : undefined
    },

    async listCategories() {
      return db.selectFrom('categories').select(['id', 'name', 'slug']).orderBy('name').execute()
    },

    async findCategory(idOrSlug) {
      return db
        .selectFrom('categories')
        .select(['id', 'name', 'slug'])
        .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
        .executeTakeFirst()
    },

    async insertProduct(product: NewProduct, actor?: Actor) {
      const skus = [product.sku, ...product.variants.map((v) => v.sku)]
      try {
        return await database.transaction(async (trx) => {
          await lockSkus(trx)
          const taken = await skuInUse(trx, skus, { productId: product.id })
          if (taken !== undefined) return { skuTaken: taken }
          const { min, max } = priceBounds(product.variants)
          await trx
            .insertInto('products')
            .values({
              id: product.id,
              sku: product.sku,
              name: product.name,
              description: product.description,
              price_amount: min,
              max_price_amount: max,
              variant_prices: variantPricesLiteral(product.variants.map((v) => v.priceAmount)),
              variant_count: product.variants.length,
              price_currency: product.currency,
              category_id: product.categoryId,
              image_url: product.imageUrl,
              attributes: JSON.stringify(product.attributes),
              options: JSON.stringify(product.options),
              status: product.status ?? 'published',
              tax_class: product.taxClass ?? events.standardTaxClass,
              created_at: product.now,
              updated_at: product.now,
            })
            .execute()
          await insertVariants(trx, product.id, product.variants, 0, product.now)
          const view = (await readProduct(trx, product.id))!
          await outbox.add(trx, events.ProductCreated, snapshotOf(view))
          if (actor) await recordAudit(outbox, trx, productCreated(actor, product))
          return 'inserted' as const
        })
      } catch (error) {
        if (isUniqueViolation(error)) return { skuTaken: product.sku }
        throw error
      }
    },

    async updateProduct(id, patch, now, actor) {
      return database.transaction(async (trx) => {
        const before = await readProduct(trx, id, true)
        if (!before) return 'not_found' as const
        if (patch.price !== undefined && before.variantCount > 1) {
          return 'price_per_variant' as const
        }
        const values: Record<string, unknown> = { updated_at: now }
        if (patch.name !== undefined) values.name = patch.name
        if (patch.description !== undefined) values.description = patch.description
        if (patch.price !== undefined) values.price_currency = patch.price.currency
        if (patch.categoryId !== undefined) values.category_id = patch.categoryId
        if (patch.imageUrl !== undefined) values.image_url = patch.imageUrl
        if (patch.attributes !== undefined) values.attributes = JSON.stringify(patch.attributes)
        if (patch.status !== undefined) values.status = patch.status
        if (patch.taxClass !== undefined) values.tax_class = patch.taxClass
        await trx.updateTable('products').set(values).where('id', '=', id).execute()
        if (patch.price !== undefined) {
          // The product's one variant carries its price.
          await trx
            .updateTable('variants')
            .set({ price_amount: patch.price.amount, updated_at: now })
            .where('product_id', '=', id)
            .execute()
          await refreshProductPrices(trx, id, now)
        }
        const after = (await readProduct(trx, id))!
        await productUpdated(outbox, trx, before, after)
        if (actor) await recordAudit(outbox, trx, productChanged(actor, before, after, now))
        return 'updated' as const
      })
    },

    async deleteProduct(id, now, actor) {
      return database.transaction(async (trx) => {
        const before = actor ? await readProduct(trx, id, true) : undefined
        const result = await trx
          .updateTable('products')
          .set({ deleted_at: now, updated_at: now })
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) return 'not_found' as const
        await outbox.add(trx, events.ProductDeleted, { productId: id })
        if (actor && before) await recordAudit(outbox, trx, productDeleted(actor, before, now))
        return 'deleted' as const
      })
    },

    seedIfEmpty: (demo: DemoCatalog, now: Date) => seedDemoCatalog({ database, outbox }, demo, now),
  }

  return store
}
