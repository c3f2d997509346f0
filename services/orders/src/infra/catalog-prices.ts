import type { Money, catalog } from '@emporium/contracts'
import type { Logger } from '@emporium/platform'
import { sql, type Kysely, type Transaction } from 'kysely'
import type {
  CatalogPort,
  CatalogPriceWriter,
  KeyClaimRequest,
  PricedVariant,
} from '../app/ports.js'
import { heldCartStatus } from './order-rows.js'
import { claimKeyInsert } from './sql-idempotency-store.js'
import type { OrdersTables } from './tables.js'

/** A product and its variants as the catalog's API answers them. */
export interface CatalogProductPrices {
  name: string
  taxClass?: string
  variants: Array<{ variantId: string; label?: string; price: Money; weightGrams?: number }>
}

/** Products of one placement asked of the catalog at once, at most, when the copy lacks them. */
const lookupConcurrency = 8

/**
 * The catalog's names and prices from orders' own copy (migrations 004, 005), kept per variant
 * from the catalog's product events: placing an order reads one row per variant and asks no
 * other service. A variant the copy has never heard of (its product predates the copy, or its
 * event is still on its way) is asked of the catalog's API once, by its product (`fallback`),
 * and every variant of that product is remembered with the epoch as its time, so that any event
 * about it replaces it. A deleted product's variants are absent, as the catalog's 404 is.
 */
export function createCatalogPriceCopy(deps: {
  db: Kysely<OrdersTables>
  /** The catalog's `GET /products/{id}`, for variants the copy has not heard of. */
  fallback: (productId: string) => Promise<CatalogProductPrices | undefined>
  log: Logger
}): CatalogPort {
  const { db } = deps
  return {
    async products(variants, holding, claim) {
      const found = new Map<string, PricedVariant>()
      if (variants.length === 0 && !holding && !claim) return { products: found }
      const rows = await readCopy(
        variants.map((v) => v.variantId),
        holding,
        claim,
      )
      const known = new Set<string>()
      let holder: string | undefined
      let claimed = false
      for (const row of rows) {
        if (row.part === 'claim') {
          claimed = true
          continue
        }
        if (row.part === 'holder') {
          holder = row.holder ?? undefined
          continue
        }
        known.add(row.variant_id)
        if (row.deleted) continue
        found.set(row.variant_id, {
          productId: row.product_id,
          name: row.name,
          ...(row.label !== null ? { label: row.label } : {}),
          price: { amount: Number(row.unit_amount), currency: row.currency.trim() },
          taxClass: row.tax_class,
          weightGrams: Number(row.weight_grams),
        })
      }
      const unknown = [
        ...new Set(variants.filter((v) => !known.has(v.variantId)).map((v) => v.productId)),
      ]
      const read = {
        ...(holder !== undefined && { holder }),
        ...(claim !== undefined && { claimed }),
      }
      // Held: the placement stops here, so the catalog need not be asked.
      if (unknown.length === 0 || holder !== undefined) return { products: found, ...read }
      const fetched = await mapLimit(unknown, lookupConcurrency, async (id) => ({
        id,
        product: await deps.fallback(id),
      }))
      const learnt = fetched.flatMap(({ id, product }) =>
        product
          ? product.variants.map((v) => ({
              variantId: v.variantId,
              priced: {
                productId: id,
                name: product.name,
                ...(v.label !== undefined ? { label: v.label } : {}),
                price: v.price,
                taxClass: product.taxClass ?? 'standard',
                weightGrams: v.weightGrams ?? 0,
              },
            }))
          : [],
      )
      for (const { variantId, priced } of learnt) {
        if (!known.has(variantId)) found.set(variantId, priced)
      }
      if (learnt.length > 0) {
        // Remembered for the next placement; an event already stored (newer) is kept.
        await db
          .insertInto('catalog_prices')
          .values(
            learnt.map(({ variantId, priced }) => ({
              variant_id: variantId,
              product_id: priced.productId,
              label: priced.label ?? null,
              name: priced.name,
              unit_amount: priced.price.amount,
              currency: priced.price.currency,
              deleted: false,
              changed_at: new Date(0),
              tax_class: priced.taxClass,
              weight_grams: priced.weightGrams,
            })),
          )
          .onConflict((oc) => oc.column('variant_id').doNothing())
          .execute()
          .catch((error: unknown) =>
            deps.log.warn(
              { err: error },
              'remembering catalog prices failed; asked again next time',
            ),
          )
      }
      return { products: found, ...read }
    },
  }

  /**
   * The copy's rows of `variantIds` and, in the same statement, the order holding the cart and
   * the key's claim (a data-modifying WITH runs once, whatever reads it): one statement, and
   * one transaction, for what a placement reads before it tokenizes the card.
   */
  function readCopy(
    variantIds: readonly string[],
    holding: { userId: string; cartIdentity: string } | undefined,
    claim: KeyClaimRequest | undefined,
  ) {
    // A holder's or a claim's row: the price columns empty.
    const blank = [
      sql<string>`''`.as('variant_id'),
      sql<string>`''`.as('product_id'),
      sql<string | null>`null`.as('label'),
      sql<string>`''`.as('name'),
      sql<number>`0`.as('unit_amount'),
      sql<string>`''`.as('currency'),
      sql<boolean>`false`.as('deleted'),
      sql<string>`''`.as('tax_class'),
      sql<number>`0`.as('weight_grams'),
    ] as const
    // The claim's INSERT is the statement's own WITH (a data-modifying WITH must be the top
    // level's); without one the same query reads no `claim`.
    const base = claim
      ? db.with('claim', (qc) => claimKeyInsert(qc, claim).returning('key'))
      : db.withTables<{ claim: { key: string } }>()
    let query = base
      .selectFrom('catalog_prices')
      .select([
        'variant_id',
        'product_id',
        'label',
        'name',
        'unit_amount',
        'currency',
        'deleted',
        'tax_class',
        'weight_grams',
        sql<string | null>`null`.as('holder'),
        sql<Part>`'price'`.as('part'),
      ])
      .where('variant_id', 'in', variantIds.length > 0 ? variantIds : [''])
    if (holding) {
      query = query.unionAll((eb) =>
        eb
          .selectFrom('orders')
          .select([...blank, 'id as holder', sql<Part>`'holder'`.as('part')])
          .where('user_id', '=', holding.userId)
          .where('cart_identity', '=', holding.cartIdentity)
          .where('status', '<>', heldCartStatus),
      )
    }
    if (claim) {
      query = query.unionAll((eb) =>
        eb
          .selectFrom('claim')
          .select([...blank, sql<string | null>`null`.as('holder'), sql<Part>`'claim'`.as('part')]),
      )
    }
    return query.execute()
  }
}

/** What a row of the placement's read is: a variant's price, the cart's holder, the claim. */
type Part = 'price' | 'holder' | 'claim'

/**
 * The consumers' writes to the copy, in their inbox transaction: a row per variant (an event from
 * before variants: the product's price is its first variant's, of the product's id), each
 * applied unless the copy holds a newer one; a draft's rows are marked as a deleted product's until
 * an event says it is published. A deletion marks every row of the product, and the
 * product's own id's (which a variant the copy never saw is then found absent by, as its
 * catalog lookup would be).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a consumer's transaction (any tables), typed below
export function createCatalogPriceWriter(trx: Transaction<any>): CatalogPriceWriter {
  const tx = trx as Transaction<OrdersTables>
  return {
    async upsert(product: catalog.ProductSnapshot, at: Date) {
      // Issue 18's fields, optional in the event (events from before name none).
      const extra = product as { taxClass?: string }
      const variants: Array<{
        variantId: string
        price: Money
        label?: string | undefined
        weightGrams?: number
      }> = product.variants ?? [
        { variantId: product.productId, price: product.price, label: undefined },
      ]
      for (const v of variants) {
        const values = {
          tax_class: extra.taxClass ?? 'standard',
          weight_grams: v.weightGrams ?? 0,
          product_id: product.productId,
          label: v.label ?? null,
          name: product.name,
          unit_amount: v.price.amount,
          currency: v.price.currency,
          // A draft (issue 17) is not sold: absent, as a deleted product, until published.
          deleted: product.status === 'draft',
          changed_at: at,
        }
        await tx
          .insertInto('catalog_prices')
          .values({ variant_id: v.variantId, ...values })
          .onConflict((oc) =>
            oc
              .column('variant_id')
              .doUpdateSet(values)
              .where('catalog_prices.changed_at', '<=', at),
          )
          .execute()
      }
    },
    async remove(productId: string, at: Date) {
      await tx
        .updateTable('catalog_prices')
        .set({ deleted: true, changed_at: at })
        .where('product_id', '=', productId)
        .where('changed_at', '<=', at)
        .execute()
      await tx
        .insertInto('catalog_prices')
        .values({
          variant_id: productId,
          product_id: productId,
          label: null,
          name: '',
          unit_amount: 0,
          currency: 'XXX',
          deleted: true,
          changed_at: at,
          tax_class: 'standard',
          weight_grams: 0,
        })
        .onConflict((oc) => oc.column('variant_id').doNothing())
        .execute()
    },
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
