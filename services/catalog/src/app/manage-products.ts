import { randomUUID } from 'node:crypto'
import type { catalog } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import type { CatalogStore, ProductPatch } from './ports.js'
import { productNotFound } from './get-product.js'
import { toPublicProduct } from './product-view.js'

interface Deps {
  store: CatalogStore
  now: () => Date
  newId?: () => string
}

async function categoryIdOf(store: CatalogStore, idOrSlug: string, path: string): Promise<string> {
  const category = await store.findCategory(idOrSlug)
  if (!category) {
    throw new AppError('invalid', 'CATALOG.UNKNOWN_CATEGORY', 'There is no such category.', {
      details: { errors: [{ path, message: 'is not a known category id or slug' }] },
    })
  }
  return category.id
}

async function reread(store: CatalogStore, id: string): Promise<catalog.Product> {
  const view = await store.getProduct(id)
  if (!view) throw productNotFound()
  return toPublicProduct(view)
}

/** `POST /products` (admin): 409 when the SKU is taken (deleted products keep theirs). */
export function createCreateProduct(deps: Deps) {
  const newId = deps.newId ?? randomUUID
  return async (body: catalog.CreateProductBody): Promise<catalog.Product> => {
    const categoryId = await categoryIdOf(deps.store, body.categoryId, '/body/categoryId')
    const id = newId()
    const outcome = await deps.store.insertProduct({
      id,
      sku: body.sku,
      name: body.name,
      description: body.description ?? '',
      price: body.price,
      categoryId,
      imageUrl: body.imageUrl ?? null,
      attributes: (body.attributes ?? {}) as Record<string, unknown>,
      onHand: body.onHand ?? 0,
      now: deps.now(),
    })
    if (outcome === 'sku_taken') {
      throw new AppError('conflict', 'CATALOG.SKU_TAKEN', 'A product with this SKU exists.')
    }
    return reread(deps.store, id)
  }
}

/** `PATCH /products/{id}` (admin). */
export function createUpdateProduct(deps: Deps) {
  return async (id: string, body: catalog.UpdateProductBody): Promise<catalog.Product> => {
    const patch: ProductPatch = { ...body } as ProductPatch
    if (body.categoryId !== undefined) {
      patch.categoryId = await categoryIdOf(deps.store, body.categoryId, '/body/categoryId')
    }
    if ((await deps.store.updateProduct(id, patch, deps.now())) === 'not_found') {
      throw productNotFound()
    }
    return reread(deps.store, id)
  }
}

/** `DELETE /products/{id}` (admin): soft; the product leaves listings, orders keep their lines. */
export function createDeleteProduct(deps: Deps) {
  return async (id: string): Promise<void> => {
    if ((await deps.store.deleteProduct(id, deps.now())) === 'not_found') throw productNotFound()
  }
}

/** `GET /products/{id}/stock` (admin): on hand, reserved and available. */
export function createGetStock(deps: { store: CatalogStore }) {
  return async (id: string): Promise<catalog.StockLevel> => {
    const stock = await deps.store.getStock(id)
    if (!stock) throw productNotFound()
    return stock
  }
}

/** `PUT /products/{id}/stock` (admin): 409 when onHand would fall below what is reserved. */
export function createSetStock(deps: { store: CatalogStore }) {
  return async (id: string, onHand: number): Promise<catalog.StockLevel> => {
    const outcome = await deps.store.setStock(id, onHand)
    if (outcome === 'not_found') throw productNotFound()
    if ('below' in outcome) {
      throw new AppError(
        'conflict',
        'CATALOG.STOCK_BELOW_RESERVED',
        `onHand cannot be below the ${outcome.below.reserved} units reserved.`,
        { details: { reserved: outcome.below.reserved } },
      )
    }
    return outcome
  }
}
