import { AppError } from '@emporium/platform/app'
import type { CatalogProduct, CatalogVariant, StoredCart } from '../domain/cart.js'
import type { PriceEntry } from '../domain/pricing.js'
import type { CartStart, CartStore, Catalog, PriceCopy } from './ports.js'

/**
 * In-memory CartStore with the real one's compare-and-set semantics; `started` holds the
 * `cart.started` events of the saves that wrote (what the real stores put in the outbox).
 */
export function fakeCartStore(): CartStore & {
  carts: Map<string, StoredCart>
  started: CartStart[]
} {
  const carts = new Map<string, StoredCart>()
  const started: CartStart[] = []
  return {
    carts,
    started,
    get: async (userId) => structuredClone(carts.get(userId)),
    async save(cart, expectedVersion, start) {
      if ((carts.get(cart.userId)?.version ?? 0) !== expectedVersion) return false
      carts.set(cart.userId, structuredClone(cart))
      if (start) started.push(structuredClone(start))
      return true
    },
    async saveAll(writes) {
      if (writes.some((w) => (carts.get(w.cart.userId)?.version ?? 0) !== w.expectedVersion)) {
        return false
      }
      for (const w of writes) carts.set(w.cart.userId, structuredClone(w.cart))
      return true
    },
    async sweepIdle(idleSince) {
      let n = 0
      for (const [id, cart] of carts)
        if (Date.parse(cart.updatedAt) < idleSince.getTime()) n += Number(carts.delete(id))
      return n
    },
  }
}

/**
 * A product of the fake catalog: its price and stock (a product without options), or its
 * variants (then `unitPrice` and `available` are ignored).
 */
export interface FakeProduct {
  productId: string
  name: string
  unitPrice: CatalogVariant['unitPrice']
  available: number
  variants?: CatalogVariant[]
}

/** A catalog of given products; `down = true` makes it fail like an unreachable one. */
export function fakeCatalog(
  products: FakeProduct[] = [],
): Catalog & { byId: Map<string, FakeProduct>; down: boolean; calls: number } {
  const byId = new Map(products.map((p) => [p.productId, p]))
  const asCatalog = (p: FakeProduct): CatalogProduct => ({
    productId: p.productId,
    name: p.name,
    variants: p.variants ?? [
      { variantId: p.productId, unitPrice: p.unitPrice, available: p.available },
    ],
  })
  const fake: Catalog & { byId: Map<string, FakeProduct>; down: boolean; calls: number } = {
    byId,
    down: false,
    calls: 0,
    async product(productId) {
      fake.calls++
      if (fake.down)
        throw new AppError('unavailable', 'CART.CATALOG_UNAVAILABLE', 'down', {
          details: { retryAfterSeconds: 5 },
        })
      const product = byId.get(productId)
      return product && asCatalog(product)
    },
    reachable: () => !fake.down,
  }
  return fake
}

export function fakePriceCopy(
  entries: PriceEntry[] = [],
): PriceCopy & { entries: Map<string, PriceEntry>; lookups: string[][] } {
  const map = new Map(entries.map((e) => [e.variantId ?? e.productId, e]))
  const lookups: string[][] = []
  return {
    entries: map,
    lookups,
    lookup: async (ids) => {
      lookups.push([...ids])
      return new Map(ids.flatMap((id) => (map.has(id) ? [[id, map.get(id)!]] : [])))
    },
  }
}
