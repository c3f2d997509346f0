import type { Product } from '@emporium/sdk'
import { oneOf, type Random } from './random.js'

/** What the crowd has seen of the catalog: products to view, search for and buy. */
export interface KnownProduct {
  id: string
  name: string
  price: number
  available: number
  category: string
  /** How many variants it has: the crowd adds only products of one to carts (by id alone). */
  variants: number
}

const limit = 5_000
/** Price bands (minor units) for filtered browsing. */
const bands: ReadonlyArray<[number, number | undefined]> = [
  [0, 1_000],
  [1_000, 5_000],
  [5_000, 20_000],
  [20_000, undefined],
]

export function createProductBook(random: Random) {
  const products = new Map<string, KnownProduct>()
  const ids: string[] = []
  const categories: string[] = []
  const touched = new Set<string>()

  return {
    remember(items: readonly Product[]) {
      for (const item of items) {
        const known = products.get(item.id)
        if (known) {
          known.available = item.available
          continue
        }
        if (ids.length >= limit) continue
        ids.push(item.id)
        products.set(item.id, {
          id: item.id,
          name: item.name,
          price: item.price.amount,
          available: item.available,
          category: item.category?.slug ?? '',
          variants: item.variantCount ?? 1,
        })
      }
    },
    setCategories(slugs: readonly string[]) {
      categories.splice(0, categories.length, ...slugs)
    },
    get size() {
      return ids.length
    },
    pick(): KnownProduct | undefined {
      const id = oneOf(random, ids)
      return id === undefined ? undefined : products.get(id)
    },
    /**
     * A product believed to be in stock (a few tries), else any; never one of several variants,
     * which a shopper chooses on its page (a cart needs the variant).
     */
    pickBuyable(except: ReadonlySet<string> = new Set()): KnownProduct | undefined {
      let fallback: KnownProduct | undefined
      for (let i = 0; i < 12; i++) {
        const product = this.pick()
        if (!product || except.has(product.id) || product.variants > 1) continue
        if (product.available > 0) return product
        fallback ??= product
      }
      return fallback
    },
    /** Stock ran out under a shopper (a 409): stop offering it until a listing says otherwise. */
    soldOut(id: string) {
      const product = products.get(id)
      if (product) product.available = 0
    },
    category: (): string | undefined => oneOf(random, categories),
    priceBand: (): [number, number | undefined] => oneOf(random, bands)!,
    /** A word of a known product's name (so searches find things); now and then a miss. */
    searchTerm(): string {
      const words = (this.pick()?.name ?? '')
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((word) => word.length >= 3)
      if (random() < 0.05 || words.length === 0) return 'zzyzx'
      return oneOf(random, words)!
    },
    touch(id: string) {
      touched.add(id)
    },
    touched: () => [...touched],
  }
}
export type ProductBook = ReturnType<typeof createProductBook>
