import { sql } from 'kysely'
import { audit, catalog as events } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { CatalogStore, NewVariant, ProductView } from '../app/ports.js'
import { stockAdjusted, variantChanged, variantCreated, type Actor } from '../domain/audit-trail.js'
import {
  isUniqueViolation,
  lockSkus,
  readProduct,
  refreshProductPrices,
  skuInUse,
  snapshotOf,
  type Executor,
  type Trx,
} from './product-rows.js'

/** A stock row (numbers may come as text). */
interface StockRow {
  variant_id: string
  on_hand: number | string
  reserved: number | string
}

/** Inserts variants of a product at positions `from`, `from + 1`, … with their stock rows. */
export async function insertVariants(
  trx: Trx,
  productId: string,
  variants: readonly NewVariant[],
  from: number,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('variants')
    .values(
      variants.map((v, i) => ({
        id: v.id,
        product_id: productId,
        sku: v.sku,
        options: JSON.stringify(v.options),
        price_amount: v.priceAmount,
        image_url: v.imageUrl,
        weight_grams: v.weightGrams,
        position: from + i,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute()
  await trx
    .insertInto('stock')
    .values(
      variants.map((v) => ({
        variant_id: v.id,
        product_id: productId,
        on_hand: v.onHand,
        reserved: 0,
      })),
    )
    .execute()
}

/** `product.updated` with the whole snapshot, and the old price when the cheapest changed. */
export async function productUpdated(
  outbox: Pick<Outbox, 'add'>,
  trx: Trx,
  before: ProductView,
  after: ProductView,
): Promise<void> {
  const priceChanged =
    before.price.amount !== after.price.amount || before.price.currency !== after.price.currency
  await outbox.add(trx, events.ProductUpdated, {
    ...snapshotOf(after),
    ...(priceChanged ? { previousPrice: before.price } : {}),
  })
}

/** A staff change's `audit.recorded` (issue 19), when it changed anything. */
export async function recordAudit(
  outbox: Pick<Outbox, 'add'>,
  trx: Trx,
  data: audit.AuditRecordedData | undefined,
): Promise<void> {
  if (data) await outbox.add(trx, audit.AuditRecorded, data)
}

function levelOf(productId: string, rows: StockRow[], variantId?: string) {
  const onHand = rows.reduce((n, r) => n + Number(r.on_hand), 0)
  const reserved = rows.reduce((n, r) => n + Number(r.reserved), 0)
  return {
    productId,
    ...(variantId !== undefined ? { variantId } : {}),
    onHand,
    reserved,
    available: onHand - reserved,
  }
}

type VariantStore = Pick<
  CatalogStore,
  'addVariant' | 'updateVariant' | 'getStock' | 'setStock' | 'getVariantStock' | 'setVariantStock'
>

/**
 * A product's variants and their stock. A write that changes what a product shows (a variant
 * added, a price or SKU changed) locks the product's row first, keeps the product's price bounds
 * in the same transaction and records `product.updated`. Stock writes lock only the variant's
 * stock row, the row a reservation locks: other variants of the product sell meanwhile.
 */
export function createKyselyVariants(deps: {
  database: Database
  outbox: Pick<Outbox, 'add'>
}): VariantStore {
  const { database, outbox } = deps
  const db = database.db

  async function stockRows(executor: Executor, productId: string, variantId?: string) {
    const { rows } = await sql<StockRow>`
      select s.variant_id, s.on_hand, s.reserved from stock s
      join products p on p.id = s.product_id
      where s.product_id = ${productId} and p.deleted_at is null
        ${variantId === undefined ? sql`` : sql`and s.variant_id = ${variantId}`}`.execute(executor)
    return rows
  }

  /**
   * Sets one stock row's onHand, locked; never below what it holds reserved. The level names the
   * variant when `named`.
   */
  async function setOnHand(
    trx: Trx,
    productId: string,
    variantId: string,
    onHand: number,
    named: boolean,
    actor: Actor | undefined,
  ) {
    const { rows } = await sql<StockRow>`
      select variant_id, on_hand, reserved from stock
      where variant_id = ${variantId} for update`.execute(trx)
    const reserved = Number(rows[0]!.reserved)
    if (onHand < reserved) return { below: { reserved } }
    await sql`update stock set on_hand = ${onHand} where variant_id = ${variantId}`.execute(trx)
    if (actor) {
      const before = Number(rows[0]!.on_hand)
      await recordAudit(
        outbox,
        trx,
        stockAdjusted(actor, { productId, variantId, before, after: onHand }),
      )
    }
    return levelOf(
      productId,
      [{ variant_id: variantId, on_hand: onHand, reserved }],
      named ? variantId : undefined,
    )
  }

  return {
    async addVariant(productId, variant, now, actor) {
      try {
        return await database.transaction(async (trx) => {
          const before = await readProduct(trx, productId, true)
          if (!before) return 'not_found' as const
          await lockSkus(trx)
          const taken = await skuInUse(trx, [variant.sku], { productId, variantId: variant.id })
          if (taken !== undefined) return { skuTaken: taken }
          const { rows } = await sql<{ id: string }>`
            select id from variants
            where product_id = ${productId} and options = ${JSON.stringify(variant.options)}::jsonb`.execute(
            trx,
          )
          if (rows.length > 0) return 'combination_taken' as const
          await insertVariants(trx, productId, [variant], before.variantCount, now)
          await refreshProductPrices(trx, productId, now)
          await productUpdated(outbox, trx, before, (await readProduct(trx, productId))!)
          if (actor) {
            const currency = before.price.currency
            await recordAudit(outbox, trx, variantCreated(actor, productId, currency, variant, now))
          }
          return 'added' as const
        })
      } catch (error) {
        if (isUniqueViolation(error)) return 'combination_taken'
        throw error
      }
    },

    async updateVariant(productId, variantId, patch, now, actor) {
      return database.transaction(async (trx) => {
        const before = await readProduct(trx, productId, true)
        if (!before || !before.variants.some((v) => v.id === variantId)) return 'not_found' as const
        if (patch.sku !== undefined) {
          await lockSkus(trx)
          const taken = await skuInUse(trx, [patch.sku], { productId, variantId })
          if (taken !== undefined) return { skuTaken: taken }
        }
        const values: Record<string, unknown> = { updated_at: now }
        if (patch.sku !== undefined) values.sku = patch.sku
        if (patch.priceAmount !== undefined) values.price_amount = patch.priceAmount
        if (patch.imageUrl !== undefined) values.image_url = patch.imageUrl
        if (patch.weightGrams !== undefined) values.weight_grams = patch.weightGrams
        await trx.updateTable('variants').set(values).where('id', '=', variantId).execute()
        await refreshProductPrices(trx, productId, now)
        const after = (await readProduct(trx, productId))!
        await productUpdated(outbox, trx, before, after)
        if (actor) {
          const was = before.variants.find((v) => v.id === variantId)!
          const is = after.variants.find((v) => v.id === variantId)!
          await recordAudit(outbox, trx, variantChanged(actor, productId, was, is, now))
        }
        return 'updated' as const
      })
    },

    async getStock(productId) {
      const rows = await stockRows(db, productId)
      return rows.length > 0 ? levelOf(productId, rows) : undefined
    },

    async setStock(productId, onHand, actor) {
      return database.transaction(async (trx) => {
        const rows = await stockRows(trx, productId)
        if (rows.length === 0) return 'not_found' as const
        if (rows.length > 1) return 'per_variant' as const
        return setOnHand(trx, productId, rows[0]!.variant_id, onHand, false, actor)
      })
    },

    async getVariantStock(productId, variantId) {
      const rows = await stockRows(db, productId, variantId)
      return rows.length > 0 ? levelOf(productId, rows, variantId) : undefined
    },

    async setVariantStock(productId, variantId, onHand, actor) {
      return database.transaction(async (trx) => {
        const rows = await stockRows(trx, productId, variantId)
        if (rows.length === 0) return 'not_found' as const
        return setOnHand(trx, productId, variantId, onHand, true, actor)
      })
    },
  }
}
