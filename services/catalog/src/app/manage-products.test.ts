import { describe, expect, it } from 'vitest'
import type { catalog } from '@emporium/contracts'
import { createCreateProduct, createUpdateProduct } from './manage-products.js'
import { createAddVariant, createUpdateVariant } from './manage-variants.js'
import type { CatalogStore, NewProduct, NewVariant, ProductPatch, VariantPatch } from './ports.js'

const category = { id: 'c1', name: 'Books', slug: 'books' }

/**
 * A store that records the writes the use cases ask of it (only what they use of a
 * CatalogStore) and reads back one product with one option, so that variants can be added.
 */
function fakeStore() {
  const writes: {
    inserted?: NewProduct
    patched?: ProductPatch
    added?: NewVariant
    variantPatch?: VariantPatch
  } = {}
  const product = {
    id: 'p1',
    price: { amount: 100, currency: 'EUR' },
    options: [{ name: 'Size', values: ['S', 'M'] }],
    variants: [{ id: 'p1' }, { id: 'v2' }],
  }
  const store = {
    findCategory: async () => category,
    getProduct: async () => product,
    insertProduct: async (p: NewProduct) => ((writes.inserted = p), 'inserted' as const),
    updateProduct: async (_id: string, patch: ProductPatch) => (
      (writes.patched = patch),
      'updated' as const
    ),
    addVariant: async (_id: string, v: NewVariant) => (
      (product.variants.push({ id: v.id }), (writes.added = v)),
      'added' as const
    ),
    updateVariant: async (_p: string, _v: string, patch: VariantPatch) => (
      (writes.variantPatch = patch),
      'updated' as const
    ),
  }
  return { store: store as unknown as CatalogStore, writes }
}

const body = (extra: Partial<catalog.CreateProductBody> = {}): catalog.CreateProductBody => ({
  sku: 'BOOK-1',
  name: 'A book',
  description: '',
  price: { amount: 1500, currency: 'EUR' },
  categoryId: 'books',
  ...extra,
})

const deps = (store: CatalogStore) => ({ store, now: () => new Date(0), newId: () => 'v-new' })

describe('tax class and weights of products and variants (issue 18)', () => {
  it('stores the standard class and 0 g when the admin gives neither', async () => {
    const { store, writes } = fakeStore()
    await createCreateProduct(deps(store))(body())
    expect(writes.inserted?.taxClass).toBe('standard')
    expect(writes.inserted?.variants.map((v) => v.weightGrams)).toEqual([0])
  })

  it("stores the class given, and the product's weight for variants that give none", async () => {
    const { store, writes } = fakeStore()
    await createCreateProduct(deps(store))(
      body({
        taxClass: 'books',
        weightGrams: 300,
        options: [{ name: 'Cover', values: ['Paper', 'Cloth'] }],
        variants: [
          { sku: 'BOOK-P', options: { Cover: 'Paper' } },
          { sku: 'BOOK-C', options: { Cover: 'Cloth' }, weightGrams: 800 },
        ],
      }),
    )
    expect(writes.inserted?.taxClass).toBe('books')
    expect(writes.inserted?.variants.map((v) => v.weightGrams)).toEqual([300, 800])
  })

  it('passes a new class and a new weight on to the store', async () => {
    const { store, writes } = fakeStore()
    await createUpdateProduct(deps(store))('p1', { taxClass: 'reduced' })
    expect(writes.patched).toEqual({ taxClass: 'reduced' })
    await createUpdateVariant(deps(store))('p1', 'v2', { weightGrams: 450 })
    expect(writes.variantPatch).toEqual({ weightGrams: 450 })
    await createAddVariant(deps(store))('p1', { sku: 'X-M', options: { Size: 'M' } })
    expect(writes.added?.weightGrams).toBe(0)
    await createAddVariant(deps(store))('p1', {
      sku: 'X-S',
      options: { Size: 'S' },
      weightGrams: 75,
    })
    expect(writes.added?.weightGrams).toBe(75)
  })
})
