import { sql } from 'kysely'
import { catalog as events } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import { demoVariants, type DemoCatalog } from '../domain/demo-catalog.js'
import { priceBounds } from '../domain/variants.js'
import { snapshotOfDemo, variantPricesLiteral } from './product-rows.js'

/**
 * Inserts the demo catalog (categories, products with their variants and stock, their
 * `product.created` events) when there is no product at all; false when there were some. Two
 * replicas starting at once: one seeds, the other then sees products.
 */
export async function seedDemoCatalog(
  deps: { database: Database; outbox: Pick<Outbox, 'add'> },
  demo: DemoCatalog,
  now: Date,
): Promise<boolean> {
  const { database, outbox } = deps
  const db = database.db
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
          chunk.map((p) => {
            const variants = demoVariants(p)
            const { min, max } = priceBounds(variants)
            return {
              id: p.id,
              sku: p.sku,
              name: p.name,
              description: p.description,
              price_amount: min,
              max_price_amount: max,
              variant_prices: variantPricesLiteral(variants.map((v) => v.priceAmount)),
              variant_count: variants.length,
              price_currency: p.currency,
              category_id: idOf.get(p.categoryId)!,
              image_url: null,
              attributes: JSON.stringify(p.attributes),
              options: JSON.stringify(p.options ?? []),
              created_at: p.createdAt,
              updated_at: now,
            }
          }),
        )
        .execute()
      const variants = chunk.flatMap((p) =>
        demoVariants(p).map((v, position) => ({ ...v, productId: p.id, position })),
      )
      await trx
        .insertInto('variants')
        .values(
          variants.map((v) => ({
            id: v.id,
            product_id: v.productId,
            sku: v.sku,
            options: JSON.stringify(v.options),
            price_amount: v.priceAmount,
            image_url: null,
            position: v.position,
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
            product_id: v.productId,
            on_hand: v.onHand,
            reserved: 0,
          })),
        )
        .execute()
    }
    for (const p of demo.products) {
      await outbox.add(trx, events.ProductCreated, snapshotOfDemo(p, idOf.get(p.categoryId)!))
    }
    return true
  })
  // Fresh statistics at once: until autovacuum gets to it, the planner would take the new
  // products for an empty table and join and sort them all for each page.
  if (seeded) await sql`analyze products, variants, stock, categories`.execute(db)
  return seeded
}
