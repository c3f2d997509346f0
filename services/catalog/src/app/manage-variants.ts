import { randomUUID } from 'node:crypto'
import type { catalog } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { checkVariantOptions } from '../domain/variants.js'
import type { Actor } from '../domain/audit-trail.js'
import { productNotFound } from './get-product.js'
import { checkCurrency, skuTaken, stockBelowReserved } from './manage-products.js'
import type { CatalogStore, ProductView } from './ports.js'

interface Deps {
  store: CatalogStore
  now: () => Date
  newId?: () => string
}

export function variantNotFound(): AppError {
  return new AppError('not_found', 'CATALOG.VARIANT_NOT_FOUND', 'The product has no such variant.')
}

async function productOf(store: CatalogStore, id: string): Promise<ProductView> {
  const view = await store.getProduct(id)
  if (!view) throw productNotFound()
  return view
}

async function variantOf(store: CatalogStore, productId: string, variantId: string) {
  const variant = (await productOf(store, productId)).variants.find((v) => v.id === variantId)
  if (!variant) throw variantNotFound()
  return variant
}

/**
 * `POST /products/{id}/variants` (admin): a new choice of the product's option values with its
 * own SKU, price (the product's when absent) and stock. 422 when the values do not match the
 * options or there are none (`CATALOG.NO_OPTIONS`: a product without options has its one
 * variant), 409 when another variant chose them or the SKU is taken.
 */
export function createAddVariant(deps: Deps) {
  const newId = deps.newId ?? randomUUID
  return async (
    productId: string,
    body: catalog.NewVariantBody,
    actor?: Actor,
  ): Promise<catalog.Variant> => {
    const product = await productOf(deps.store, productId)
    if (product.options.length === 0) {
      throw new AppError(
        'unprocessable',
        'CATALOG.NO_OPTIONS',
        'This product has no options: it has its one variant.',
      )
    }
    checkVariantOptions(product.options, body.options, '/body')
    checkCurrency(product.price.currency, body.price, '/body/price')
    const id = newId()
    const outcome = await deps.store.addVariant(
      productId,
      {
        id,
        sku: body.sku,
        options: body.options,
        priceAmount: (body.price ?? product.price).amount,
        imageUrl: body.imageUrl ?? null,
        onHand: body.onHand ?? 0,
        weightGrams: body.weightGrams ?? 0,
      },
      deps.now(),
      actor,
    )
    if (outcome === 'not_found') throw productNotFound()
    if (outcome === 'combination_taken') {
      throw new AppError(
        'conflict',
        'CATALOG.VARIANT_EXISTS',
        'Another variant of this product has these option values.',
      )
    }
    if (outcome !== 'added') throw skuTaken(outcome.skuTaken)
    return variantOf(deps.store, productId, id)
  }
}

/** `PATCH /products/{id}/variants/{variantId}` (admin): its SKU, price, image or weight. */
export function createUpdateVariant(deps: Deps) {
  return async (
    productId: string,
    variantId: string,
    body: catalog.UpdateVariantBody,
    actor?: Actor,
  ): Promise<catalog.Variant> => {
    const product = await productOf(deps.store, productId)
    checkCurrency(product.price.currency, body.price, '/body/price')
    const patch = {
      ...(body.sku !== undefined ? { sku: body.sku } : {}),
      ...(body.price !== undefined ? { priceAmount: body.price.amount } : {}),
      ...(body.imageUrl !== undefined ? { imageUrl: body.imageUrl } : {}),
      ...(body.weightGrams !== undefined ? { weightGrams: body.weightGrams } : {}),
    }
    const outcome = await deps.store.updateVariant(productId, variantId, patch, deps.now(), actor)
    if (outcome === 'not_found') throw variantNotFound()
    if (outcome !== 'updated') throw skuTaken(outcome.skuTaken)
    return variantOf(deps.store, productId, variantId)
  }
}

/** `GET /products/{id}/variants/{variantId}/stock` (admin). */
export function createGetVariantStock(deps: { store: CatalogStore }) {
  return async (productId: string, variantId: string): Promise<catalog.StockLevel> => {
    const stock = await deps.store.getVariantStock(productId, variantId)
    if (!stock) throw variantNotFound()
    return stock
  }
}

/** `PUT /products/{id}/variants/{variantId}/stock` (admin): never below what is reserved. */
export function createSetVariantStock(deps: { store: CatalogStore }) {
  return async (
    productId: string,
    variantId: string,
    onHand: number,
    actor?: Actor,
  ): Promise<catalog.StockLevel> => {
    const outcome = await deps.store.setVariantStock(productId, variantId, onHand, actor)
    if (outcome === 'not_found') throw variantNotFound()
    if ('below' in outcome) throw stockBelowReserved(outcome.below.reserved)
    return outcome
  }
}
