import { sql, type Kysely, type Transaction } from 'kysely'
import { catalog } from '@emporium/contracts'
import type { ProductView, StoredMedia } from '../app/ports.js'
import { demoVariants, type DemoProduct } from '../domain/demo-catalog.js'
import { defaultImageUrl } from '../domain/product-image.js'
import {
  orderedOptions,
  priceBounds,
  variantLabel,
  type ProductOption,
  type VariantOptions,
} from '../domain/variants.js'
import { listedProduct, type ListedRow } from './listing-sql.js'
import { json, pictureJson, storedPicture, type PictureJson } from './media-json.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the store's transactions and its callers' (any tables)
export type Trx = Transaction<any>
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as Trx
export type Executor = Trx | Kysely<any>

/** A variant as the product query aggregates it (JSON: numbers as numbers). */
interface VariantJson {
  id: string
  sku: string
  options: VariantOptions
  price: number | string
  image: string | null
  onHand: number | null
  reserved: number | null
  /** Null only before migration 008 ran (never in a migrated database). */
  weightGrams: number | null
}

/** A row of `productQuery`: its timestamps and JSON as the driver returns them. */
interface ProductRow extends Omit<ListedRow, 'created_at' | 'rank' | 'available'> {
  created_at: Date | string
  updated_at: Date | string
  attributes: string | Record<string, unknown>
  options: string | ProductOption[]
  variants: string | VariantJson[]
  /** With `gallery`: its pictures in gallery order, each with its sizes narrowest first. */
  gallery?: string | PictureJson[]
}

/**
 * One product not deleted, drafts too (the use cases hide them from shoppers), with its category, and its variants with their stock aggregated in
 * the same statement (one round trip: the cart and orders read a product at every add).
 */
export async function readProduct(
  executor: Executor,
  id: string,
  forUpdate = false,
): Promise<ProductView | undefined> {
  const row = await productRow(executor, id, { forUpdate })
  return row ? toView(row) : undefined
}

/**
 * A product as `readProduct` reads it and its gallery (pictures in gallery order, each picture's
 * sizes narrowest first; pictures without files left out), in the same statement: a product's
 * page, and the cart's read of a product at every add, cost one transaction of the database's,
 * not two (issue 14).
 */
export async function readProductWithGallery(
  executor: Executor,
  id: string,
): Promise<(ProductView & { gallery: StoredMedia[] }) | undefined> {
  const row = await productRow(executor, id, { gallery: true })
  if (!row) return undefined
  const gallery = json(row.gallery ?? '[]').flatMap((m) => storedPicture(id, m) ?? [])
  return { ...toView(row), gallery }
}

async function productRow(
  executor: Executor,
  id: string,
  options: { forUpdate?: boolean; gallery?: boolean },
): Promise<ProductRow | undefined> {
  const { rows } = await sql<ProductRow>`
    select p.id, p.sku, p.name, p.description, p.price_amount, p.max_price_amount,
      p.price_currency, p.image_url, p.attributes, p.options, p.variant_count, p.created_at,
      p.updated_at, p.status, p.tax_class, c.id as category_id, c.name as category_name,
      c.slug as category_slug,
      (select coalesce(json_agg(json_build_object('id', v.id, 'sku', v.sku,
          'options', v.options, 'price', v.price_amount, 'image', v.image_url,
          'onHand', s.on_hand, 'reserved', s.reserved, 'weightGrams', v.weight_grams)
          order by v.position, v.id), '[]'::json)
        from variants v left join stock s on s.variant_id = v.id
        where v.product_id = p.id) as variants
      ${options.gallery ? gallerySelect : sql``}
    from products p
    join categories c on c.id = p.category_id
    where p.id = ${id} and p.deleted_at is null
    ${options.forUpdate ? sql`for update of p` : sql``}`.execute(executor)
  return rows[0]
}

const gallerySelect = sql`,
      (select coalesce(json_agg(${sql.raw(pictureJson)} order by m.position, m.id), '[]'::json)
        from product_media m where m.product_id = p.id) as gallery`

function toView(row: ProductRow): ProductView {
  const options = json(row.options)
  const currency = String(row.price_currency).trim()
  const createdAt = new Date(row.created_at).toISOString()
  const product = listedProduct({ ...row, created_at: createdAt, available: 0 })
  const variants = json(row.variants).map((v): catalog.Variant => {
    const label = variantLabel(options, v.options)
    return {
      id: v.id,
      sku: v.sku,
      options: orderedOptions(options, v.options),
      ...(label !== undefined ? { label } : {}),
      price: { amount: Number(v.price), currency },
      available: Math.max(0, Number(v.onHand ?? 0) - Number(v.reserved ?? 0)),
      imageUrl: v.image ?? product.imageUrl,
      weightGrams: Number(v.weightGrams ?? 0),
    }
  })
  return {
    ...product,
    available: variants.reduce((sum, v) => sum + v.available, 0),
    priceRange: product.priceRange!,
    variantCount: product.variantCount!,
    status: product.status!,
    taxClass: product.taxClass!,
    options,
    variants,
    attributes: json(row.attributes),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}

/** What other services keep of a product (the cart's and the orders' price copies). */
export function snapshotOf(view: ProductView): catalog.ProductSnapshot {
  return {
    productId: view.id,
    sku: view.sku,
    name: view.name,
    price: view.price,
    categoryId: view.category.id,
    imageUrl: view.imageUrl,
    status: view.status,
    taxClass: view.taxClass,
    variants: view.variants.map((v) => ({
      variantId: v.id,
      sku: v.sku,
      price: v.price,
      ...(v.label !== undefined ? { label: v.label } : {}),
      options: v.options,
      weightGrams: v.weightGrams ?? 0,
    })),
  }
}

/** What `snapshotOf` says of a demo product as it is seeded (without reading it back). */
export function snapshotOfDemo(p: DemoProduct, categoryId: string): catalog.ProductSnapshot {
  const options = p.options ?? []
  const price = (amount: number) => ({ amount, currency: p.currency })
  const variants = demoVariants(p)
  return {
    productId: p.id,
    sku: p.sku,
    name: p.name,
    price: price(priceBounds(variants).min),
    categoryId,
    imageUrl: defaultImageUrl(p.id),
    taxClass: catalog.standardTaxClass,
    variants: variants.map((v) => {
      const label = variantLabel(options, v.options)
      return {
        variantId: v.id,
        sku: v.sku,
        price: price(v.priceAmount),
        ...(label !== undefined ? { label } : {}),
        options: orderedOptions(options, v.options),
        weightGrams: 0,
      }
    }),
  }
}

/**
 * Keeps a product's cheapest and dearest variant price, all its variants' prices (migration 006)
 * and its variant count, in the transaction that changed its variants (which holds the
 * product's row lock).
 */
export async function refreshProductPrices(trx: Trx, productId: string, now: Date) {
  await sql`
    update products p set price_amount = v.min, max_price_amount = v.max, variant_count = v.n,
      variant_prices = v.prices, updated_at = ${now}
    from (select min(price_amount) as min, max(price_amount) as max, count(*)::int as n,
            range_agg(int8range(price_amount, price_amount, '[]')) as prices
          from variants where product_id = ${productId}) v
    where p.id = ${productId}`.execute(trx)
}

/** Prices as the `int8multirange` literal of `products.variant_prices` (migration 006). */
export function variantPricesLiteral(prices: readonly number[]): string {
  const distinct = [...new Set(prices)].sort((a, b) => a - b)
  return `{${distinct.map((p) => `[${p},${p}]`).join(',')}}`
}

/**
 * Serialises the writes that give out SKUs: a SKU is unique across products and variants (two
 * tables, two unique indexes), so the check of both and the write happen under one lock. Admin
 * writes are rare; reservations never take it.
 */
export async function lockSkus(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(4242002)`.execute(trx)
}

/**
 * The first of `skus` that another product or another variant has, or undefined. A product's
 * first variant (whose id is the product's) may share its product's SKU, and only it: `owner` is
 * the product and the variant being written (none: a new product and its variants, whose own
 * duplicates the use case refused). Run under `lockSkus`.
 */
export async function skuInUse(
  trx: Trx,
  skus: readonly string[],
  owner: { productId: string; variantId?: string },
): Promise<string | undefined> {
  if (skus.length === 0) return undefined
  const products =
    owner.variantId === undefined || owner.variantId === owner.productId
      ? sql`id <> ${owner.productId}`
      : sql`true`
  const variants =
    owner.variantId === undefined
      ? sql`product_id <> ${owner.productId}`
      : sql`id <> ${owner.variantId}`
  const { rows } = await sql<{ sku: string }>`
    select sku from products where sku in (${sql.join(skus)}) and ${products}
    union all
    select sku from variants where sku in (${sql.join(skus)}) and ${variants}
    limit 1`.execute(trx)
  return rows[0]?.sku
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505'
}
