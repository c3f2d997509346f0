import type { Money, catalog } from '@emporium/contracts'
import type { Logger } from '@emporium/platform'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { CatalogPort, CatalogPriceWriter } from '../app/ports.js'
import type { OrdersTables } from './tables.js'

type Priced = { name: string; price: Money }

/** Products of one placement asked of the catalog at once, at most, when the copy lacks them. */
const lookupConcurrency = 8

/**
 * The catalog's names and prices from orders' own copy (migration 004), kept from the catalog's
 * product events: placing an order reads one row per product and asks no other service. A
 * product the copy has never heard of (it predates the copy, or its event is still on its way)
 * is asked of the catalog's API once (`fallback`) and remembered with the epoch as its time, so
 * that any event about it replaces it. A deleted product is absent, as the catalog's 404 is.
 */
export function createCatalogPriceCopy(deps: {
  db: Kysely<OrdersTables>
  /** The catalog's `GET /products/{id}`, for products the copy has not heard of. */
  fallback: (productId: string) => Promise<Priced | undefined>
  log: Logger
}): CatalogPort {
  const { db } = deps
  return {
    async products(productIds, holding) {
      const found = new Map<string, Priced>()
      if (productIds.length === 0 && !holding) return { products: found }
      const rows = await readCopy(productIds, holding)
      const known = new Set<string>()
      let holder: string | undefined
      for (const row of rows) {
        if (row.holder !== null) {
          holder = row.holder
          continue
        }
        known.add(row.product_id)
        if (row.deleted) continue
        found.set(row.product_id, {
          name: row.name,
          price: { amount: Number(row.unit_amount), currency: row.currency.trim() },
        })
      }
      const unknown = productIds.filter((id) => !known.has(id))
      // Held: the placement stops here, so the catalog need not be asked.
      if (unknown.length === 0 || holder !== undefined) {
        return { products: found, ...(holder !== undefined && { holder }) }
      }
      const fetched = await mapLimit(unknown, lookupConcurrency, async (id) => ({
        id,
        product: await deps.fallback(id),
      }))
      const learnt = fetched.flatMap(({ id, product }) => (product ? [{ id, product }] : []))
      for (const { id, product } of learnt) found.set(id, product)
      if (learnt.length > 0) {
        // Remembered for the next placement; an event already stored (newer) is kept.
        await db
          .insertInto('catalog_prices')
          .values(
            learnt.map(({ id, product }) => ({
              product_id: id,
              name: product.name,
              unit_amount: product.price.amount,
              currency: product.price.currency,
              deleted: false,
              changed_at: new Date(0),
            })),
          )
          .onConflict((oc) => oc.column('product_id').doNothing())
          .execute()
          .catch((error: unknown) =>
            deps.log.warn(
              { err: error },
              'remembering catalog prices failed; asked again next time',
            ),
          )
      }
      return { products: found }
    },
  }

  /** The copy's rows of `productIds` and, in the same statement, the order holding the cart. */
  function readCopy(
    productIds: readonly string[],
    holding: { userId: string; cartIdentity: string } | undefined,
  ) {
    const prices = db
      .selectFrom('catalog_prices')
      .select([
        'product_id',
        'name',
        'unit_amount',
        'currency',
        'deleted',
        sql<string | null>`null`.as('holder'),
      ])
      .where('product_id', 'in', productIds.length > 0 ? productIds : [''])
    if (!holding) return prices.execute()
    return prices
      .unionAll(
        db
          .selectFrom('orders')
          .select([
            sql<string>`''`.as('product_id'),
            sql<string>`''`.as('name'),
            sql<number>`0`.as('unit_amount'),
            sql<string>`''`.as('currency'),
            sql<boolean>`false`.as('deleted'),
            'id as holder',
          ])
          .where('user_id', '=', holding.userId)
          .where('cart_identity', '=', holding.cartIdentity)
          .where('status', '<>', 'cancelled'),
      )
      .execute()
  }
}

/** The consumers' writes to the copy, in their inbox transaction. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a consumer's transaction (any tables), typed below
export function createCatalogPriceWriter(trx: Transaction<any>): CatalogPriceWriter {
  const tx = trx as Transaction<OrdersTables>
  /** Applies a change unless the copy holds a newer one. */
  async function apply(
    productId: string,
    at: Date,
    change: { name: string; price: Money; deleted: false } | { deleted: true },
  ): Promise<void> {
    const values = change.deleted
      ? { deleted: true, changed_at: at }
      : {
          name: change.name,
          unit_amount: change.price.amount,
          currency: change.price.currency,
          deleted: false,
          changed_at: at,
        }
    await tx
      .insertInto('catalog_prices')
      .values({
        product_id: productId,
        name: change.deleted ? '' : change.name,
        unit_amount: change.deleted ? 0 : change.price.amount,
        currency: change.deleted ? 'XXX' : change.price.currency,
        deleted: change.deleted,
        changed_at: at,
      })
      .onConflict((oc) =>
        oc.column('product_id').doUpdateSet(values).where('catalog_prices.changed_at', '<=', at),
      )
      .execute()
  }
  return {
    upsert: (product: catalog.ProductSnapshot, at: Date) =>
      apply(product.productId, at, { name: product.name, price: product.price, deleted: false }),
    remove: (productId: string, at: Date) => apply(productId, at, { deleted: true }),
  }
}

/** `fn` over `items` with at most `limit` calls at once, results in order; fails fast. */
async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++
      try {
        results[index] = await fn(items[index]!)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
