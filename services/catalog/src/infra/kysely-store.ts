import { sql, type Transaction } from 'kysely'
import { catalog as events } from '@emporium/contracts'
import type { Database, Logger, Outbox } from '@emporium/platform'
import type { Cursor } from '../domain/cursor.js'
import type { DemoCatalog } from '../domain/demo-catalog.js'
import type { ListCriteria } from '../domain/listing.js'
import type { CatalogStore, ListPage, NewProduct, ProductView } from '../app/ports.js'
import { defaultImageUrl } from '../domain/product-image.js'
import { typoSimilarityThreshold } from '../domain/search-plan.js'
import { createKyselyReservations, type KyselyReservations } from './kysely-reservations.js'
import { cursorAfter, listedProduct, listingSql, type ListedRow } from './listing-sql.js'
import { createStatementRunner } from './prepared.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the store's transactions and its callers' (any tables)
type Trx = Transaction<any>

export interface KyselyStoreDeps {
  database: Database
  outbox: Outbox
  log?: Logger
}

export interface KyselyStore extends CatalogStore, KyselyReservations {
  /**
   * Sets `typoSearch`: whether pg_trgm and the trigram index are there, which migration 003 made
   * when it could (the right to create the extension: a trusted one since PG 13, so a database
   * owner can). PGlite has no pg_trgm loaded by `openDatabase`: the search is full-text only.
   */
  detectSearchFeatures(): Promise<boolean>
}

const productColumns = sql`
  p.id, p.sku, p.name, p.description, p.price_amount, p.price_currency, p.image_url,
  p.attributes, p.created_at, p.updated_at,
  c.id as category_id, c.name as category_name, c.slug as category_slug,
  coalesce(s.on_hand - s.reserved, 0) as available`

/** A row of `productColumns`: its timestamps as the driver returns them. */
interface ProductRow extends Omit<ListedRow, 'created_at' | 'rank'> {
  created_at: Date | string
  updated_at: Date | string
  attributes: string | Record<string, unknown>
}

function toView(row: ProductRow): ProductView {
  const createdAt = new Date(row.created_at).toISOString()
  return {
    ...listedProduct({ ...row, created_at: createdAt }),
    createdAt,
    updatedAt: new Date(row.updated_at).toISOString(),
    attributes: typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes,
  }
}

/** A product's stock row (numbers may come as text). */
interface StockRow {
  on_hand: number | string
  reserved: number | string
}

function snapshotOf(view: ProductView): events.ProductSnapshot {
  return {
    productId: view.id,
    sku: view.sku,
    name: view.name,
    price: view.price,
    categoryId: view.category.id,
    imageUrl: view.imageUrl,
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505'
}

export function createKyselyStore(deps: KyselyStoreDeps): KyselyStore {
  const { database, outbox } = deps
  const db = database.db
  const run = createStatementRunner(database)
  let trigram = false

  async function viewIn(executor: Trx | typeof db, id: string, forUpdate = false) {
    const { rows } = await sql<ProductRow>`
      select ${productColumns}
      from products p
      join categories c on c.id = p.category_id
      left join stock s on s.product_id = p.id
      where p.id = ${id} and p.deleted_at is null
      ${forUpdate ? sql`for update of p` : sql``}`.execute(executor)
    return rows[0] ? toView(rows[0]) : undefined
  }

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
      return {
        items: page.map(listedProduct),
        next: more && last ? cursorAfter(criteria, last, typo) : null,
      }
    },

    getProduct: (id) => viewIn(db, id),

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

    async insertProduct(product: NewProduct) {
      try {
        return await database.transaction(async (trx) => {
          const taken = await trx
            .selectFrom('products')
            .select('id')
            .where('sku', '=', product.sku)
            .executeTakeFirst()
          if (taken) return 'sku_taken' as const
          await trx
            .insertInto('products')
            .values({
              id: product.id,
              sku: product.sku,
              name: product.name,
              description: product.description,
              price_amount: product.price.amount,
              price_currency: product.price.currency,
              category_id: product.categoryId,
              image_url: product.imageUrl,
              attributes: JSON.stringify(product.attributes),
              created_at: product.now,
              updated_at: product.now,
            })
            .execute()
          await trx
            .insertInto('stock')
            .values({ product_id: product.id, on_hand: product.onHand, reserved: 0 })
            .execute()
          const view = (await viewIn(trx, product.id))!
          await outbox.add(trx, events.ProductCreated, snapshotOf(view))
          return 'inserted' as const
        })
      } catch (error) {
        if (isUniqueViolation(error)) return 'sku_taken'
        throw error
      }
    },

    async updateProduct(id, patch, now) {
      return database.transaction(async (trx) => {
        const before = await viewIn(trx, id, true)
        if (!before) return 'not_found' as const
        const values: Record<string, unknown> = { updated_at: now }
        if (patch.name !== undefined) values.name = patch.name
        if (patch.description !== undefined) values.description = patch.description
        if (patch.price !== undefined) {
          values.price_amount = patch.price.amount
          values.price_currency = patch.price.currency
        }
        if (patch.categoryId !== undefined) values.category_id = patch.categoryId
        if (patch.imageUrl !== undefined) values.image_url = patch.imageUrl
        if (patch.attributes !== undefined) values.attributes = JSON.stringify(patch.attributes)
        await trx.updateTable('products').set(values).where('id', '=', id).execute()
        const after = (await viewIn(trx, id))!
        const priceChanged =
          before.price.amount !== after.price.amount ||
          before.price.currency !== after.price.currency
        await outbox.add(trx, events.ProductUpdated, {
          ...snapshotOf(after),
          ...(priceChanged ? { previousPrice: before.price } : {}),
        })
        return 'updated' as const
      })
    },

    async deleteProduct(id, now) {
      return database.transaction(async (trx) => {
        const result = await trx
          .updateTable('products')
          .set({ deleted_at: now, updated_at: now })
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) return 'not_found' as const
        await outbox.add(trx, events.ProductDeleted, { productId: id })
        return 'deleted' as const
      })
    },

    async getStock(id) {
      const { rows } = await sql<StockRow>`
        select s.on_hand, s.reserved from stock s join products p on p.id = s.product_id
        where s.product_id = ${id} and p.deleted_at is null`.execute(db)
      const row = rows[0]
      if (!row) return undefined
      const onHand = Number(row.on_hand)
      const reserved = Number(row.reserved)
      return { productId: id, onHand, reserved, available: onHand - reserved }
    },

    async setStock(id, onHand) {
      return database.transaction(async (trx) => {
        const { rows } = await sql<StockRow>`
          select s.on_hand, s.reserved from stock s join products p on p.id = s.product_id
          where s.product_id = ${id} and p.deleted_at is null
          for update of s`.execute(trx)
        const row = rows[0]
        if (!row) return 'not_found' as const
        const reserved = Number(row.reserved)
        if (onHand < reserved) return { below: { reserved } }
        await trx
          .updateTable('stock')
          .set({ on_hand: onHand })
          .where('product_id', '=', id)
          .execute()
        return { productId: id, onHand, reserved, available: onHand - reserved }
      })
    },

    async seedIfEmpty(demo: DemoCatalog, now: Date) {
      const seeded = await database.transaction(async (trx) => {
        // Two replicas starting at once: one seeds, the other then sees products.
        await sql`select pg_advisory_xact_lock(4242001)`.execute(trx)
        const any = await trx.selectFrom('products').select('id').limit(1).executeTakeFirst()
        if (any) return false
        await trx
          .insertInto('categories')
          .values(demo.categories)
          .onConflict((oc) => oc.doNothing())
          .execute()
        const categories = await trx.selectFrom('categories').select(['id', 'slug']).execute()
        const bySlug = new Map(categories.map((c) => [c.slug, c.id]))
        const idOf = new Map(demo.categories.map((c) => [c.id, bySlug.get(c.slug) ?? c.id]))
        for (let i = 0; i < demo.products.length; i += 200) {
          const chunk = demo.products.slice(i, i + 200)
          await trx
            .insertInto('products')
            .values(
              chunk.map((p) => ({
                id: p.id,
                sku: p.sku,
                name: p.name,
                description: p.description,
                price_amount: p.priceAmount,
                price_currency: p.currency,
                category_id: idOf.get(p.categoryId)!,
                image_url: null,
                attributes: JSON.stringify(p.attributes),
                created_at: p.createdAt,
                updated_at: now,
              })),
            )
            .execute()
          await trx
            .insertInto('stock')
            .values(chunk.map((p) => ({ product_id: p.id, on_hand: p.onHand, reserved: 0 })))
            .execute()
        }
        for (const p of demo.products) {
          await outbox.add(trx, events.ProductCreated, {
            productId: p.id,
            sku: p.sku,
            name: p.name,
            price: { amount: p.priceAmount, currency: p.currency },
            categoryId: idOf.get(p.categoryId)!,
            imageUrl: defaultImageUrl(p.id),
          })
        }
        return true
      })
      // Fresh statistics at once: until autovacuum gets to it, the planner would take the new
      // products for an empty table and join and sort them all for each page.
      if (seeded) await sql`analyze products, stock, categories`.execute(db)
      return seeded
    },
  }

  return store
}
