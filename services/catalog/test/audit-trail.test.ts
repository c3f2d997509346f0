import { describe, expect, it } from 'vitest'
import { audit } from '@emporium/contracts'
import {
  categoryWritten,
  productChanged,
  stockAdjusted,
  variantChanged,
  type Actor,
} from '../src/domain/audit-trail.js'
import { createSetStock, createUpdateProduct } from '../src/app/manage-products.js'
import { createSetVariantStock, createUpdateVariant } from '../src/app/manage-variants.js'
import type { CatalogStore, ProductPatch, ProductView, VariantPatch } from '../src/app/ports.js'

const staff: Actor = { userId: 'u-staff', roles: ['catalog_manager'] }
const at = new Date('2026-12-03T10:00:00Z')
const usd = (amount: number) => ({ amount, currency: 'USD' })

function view(overrides: Partial<ProductView> = {}): ProductView {
  const base = {
    id: 'p1',
    sku: 'MUG-1',
    name: 'Mug',
    description: 'A mug.',
    price: usd(2000),
    category: { id: 'c1', name: 'Kitchen', slug: 'kitchen' },
    imageUrl: '/img/p1',
    attributes: {},
    status: 'published',
    taxClass: 'standard',
    options: [],
    variants: [
      { id: 'p1', sku: 'MUG-1', options: {}, price: usd(2000), available: 5, imageUrl: '/img/p1' },
    ],
  }
  return { ...base, ...overrides } as unknown as ProductView
}

/**
 * An in-memory store of one product with one variant, with the SQL store's audit contract: each
 * write given an actor records the audit-trail's event of what it changed, none when refused
 * (the events are those the SQL store writes to its outbox in the write's transaction).
 */
function fakeStore(reserved = 0) {
  let product = view()
  let onHand = 5
  const events: audit.AuditRecordedData[] = []
  const record = (data: audit.AuditRecordedData | undefined) => data && events.push(data)
  const store = {
    findCategory: async (id: string) => (id === 'c1' ? product.category : undefined),
    getProduct: async () => product,
    updateProduct: async (_id: string, patch: ProductPatch, now: Date, actor?: Actor) => {
      const before = product
      const price = patch.price ?? before.price
      product = {
        ...before,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        price,
        variants: before.variants.map((v) => ({ ...v, price })),
      }
      if (actor) record(productChanged(actor, before, product, now))
      return 'updated' as const
    },
    updateVariant: async (
      _p: string,
      variantId: string,
      patch: VariantPatch,
      now: Date,
      actor?: Actor,
    ) => {
      const before = product
      product = {
        ...before,
        variants: before.variants.map((v) =>
          v.id === variantId && patch.priceAmount !== undefined
            ? { ...v, price: usd(patch.priceAmount) }
            : v,
        ),
      }
      const was = before.variants.find((v) => v.id === variantId)!
      const is = product.variants.find((v) => v.id === variantId)!
      if (actor) record(variantChanged(actor, 'p1', was, is, now))
      return 'updated' as const
    },
    setStock: async (_id: string, next: number, actor?: Actor) => {
      if (next < reserved) return { below: { reserved } }
      const before = onHand
      onHand = next
      if (actor)
        record(stockAdjusted(actor, { productId: 'p1', variantId: 'p1', before, after: next }))
      return { productId: 'p1', onHand, reserved, available: onHand - reserved }
    },
  }
  return {
    store: {
      ...store,
      setVariantStock: (_p: string, _v: string, n: number, a?: Actor) => store.setStock('p1', n, a),
    } as unknown as CatalogStore,
    events,
  }
}

const deps = (store: CatalogStore) => ({ store, now: () => at })

describe("the catalog's audit trail (issue 19)", () => {
  it('records one price change with the price before and after and the actor', async () => {
    const { store, events } = fakeStore()
    await createUpdateProduct(deps(store))('p1', { price: usd(2500) }, staff)
    expect(events).toEqual([
      {
        actor: staff,
        action: 'product.price-changed',
        entity: { type: 'product', id: 'p1' },
        before: { price: usd(2000) },
        after: { price: usd(2500) },
        at: at.toISOString(),
      },
    ])
  })

  it("records a variant's price change with its id", async () => {
    const { store, events } = fakeStore()
    await createUpdateVariant(deps(store))('p1', 'p1', { price: usd(1800) }, staff)
    expect(events).toMatchObject([
      {
        actor: staff,
        action: 'variant.price-changed',
        before: { variantId: 'p1', price: usd(2000) },
        after: { variantId: 'p1', price: usd(1800) },
      },
    ])
  })

  it('records a stock adjustment with the units on hand before and after', async () => {
    const { store, events } = fakeStore()
    await createSetStock({ store })('p1', 12, staff)
    await createSetVariantStock({ store })('p1', 'p1', 3, staff)
    expect(events).toMatchObject([
      { actor: staff, action: 'stock.adjusted', before: { onHand: 5 }, after: { onHand: 12 } },
      { actor: staff, action: 'stock.adjusted', before: { onHand: 12 }, after: { onHand: 3 } },
    ])
  })

  it('records nothing when a change is refused', async () => {
    const { store, events } = fakeStore(4)
    // Another currency than the product's: 422 before the store is asked.
    await expect(
      createUpdateVariant(deps(store))(
        'p1',
        'p1',
        { price: { amount: 1, currency: 'EUR' } },
        staff,
      ),
    ).rejects.toMatchObject({ code: 'CATALOG.CURRENCY_MISMATCH' })
    await expect(
      createUpdateProduct(deps(store))('p1', { categoryId: 'nope' }, staff),
    ).rejects.toMatchObject({ code: 'CATALOG.UNKNOWN_CATEGORY' })
    await expect(createSetStock({ store })('p1', 3, staff)).rejects.toMatchObject({
      code: 'CATALOG.STOCK_BELOW_RESERVED',
    })
    expect(events).toEqual([])
  })

  it('records nothing without an actor (system writes) or without a change', async () => {
    const { store, events } = fakeStore()
    await createUpdateProduct(deps(store))('p1', { price: usd(2500) })
    await createSetStock({ store })('p1', 9)
    await createUpdateProduct(deps(store))('p1', { name: 'Mug' }, staff)
    await createSetStock({ store })('p1', 9, staff)
    expect(events).toEqual([])
  })

  it('names a change by what it changed, with only the changed fields', () => {
    const published = productChanged(staff, view({ status: 'draft' }), view(), at)
    expect(published).toMatchObject({
      action: 'product.published',
      before: { status: 'draft' },
      after: { status: 'published' },
    })
    expect(productChanged(staff, view(), view({ status: 'draft' }), at)?.action).toBe(
      'product.drafted',
    )
    const both = productChanged(staff, view(), view({ name: 'Cup', price: usd(1) }), at)
    expect(both).toMatchObject({
      action: 'product.price-changed',
      before: { name: 'Mug', price: usd(2000) },
      after: { name: 'Cup', price: usd(1) },
    })
    expect(Object.keys(both!.after as object).sort()).toEqual(['name', 'price'])
    expect(productChanged(staff, view(), view({ name: 'Cup' }), at)?.action).toBe('product.updated')
    expect(stockAdjusted(staff, { productId: 'p1', variantId: 'p1', before: 2, after: 2 })).toBe(
      undefined,
    )
    const category = { id: 'c1', name: 'Kitchen', slug: 'kitchen' }
    expect(categoryWritten(staff, null, category, at)).toMatchObject({
      action: 'category.created',
      entity: { type: 'category', id: 'c1' },
      after: { name: 'Kitchen', slug: 'kitchen' },
    })
    expect(categoryWritten(staff, category, { ...category, slug: 'cooking' }, at)).toMatchObject({
      action: 'category.updated',
      before: { slug: 'kitchen' },
      after: { slug: 'cooking' },
    })
  })

  it('builds events the contract accepts', () => {
    const data = productChanged(staff, view(), view({ price: usd(1) }), at)!
    expect(audit.AuditRecorded.parse({ ...envelope(), data }).ok).toBe(true)
  })
})

function envelope() {
  return {
    id: '00000000-0000-4000-8000-000000000000',
    type: 'audit.recorded',
    version: 1,
    source: 'catalog',
    occurredAt: at.toISOString(),
    correlationId: '00000000-0000-4000-8000-000000000001',
  }
}
