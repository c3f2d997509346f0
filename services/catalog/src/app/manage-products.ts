import { randomUUID } from 'node:crypto'
import { catalog } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { checkNewVariants, checkProductOptions } from '../domain/variants.js'
import type { CatalogStore, NewVariant, ProductPatch } from './ports.js'
import type { Actor } from '../domain/audit-trail.js'
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

export function skuTaken(sku: string): AppError {
  return new AppError('conflict', 'CATALOG.SKU_TAKEN', `The SKU ${sku} is taken.`, {
    details: { sku },
  })
}

/** 422 when a variant's price is not in its product's currency (one currency per product). */
export function checkCurrency(
  currency: string,
  price: { currency: string } | undefined,
  path: string,
) {
  if (price !== undefined && price.currency !== currency) {
    throw new AppError(
      'unprocessable',
      'CATALOG.CURRENCY_MISMATCH',
      `A product's variants are priced in one currency, ${currency}.`,
      { details: { errors: [{ path, message: `must be in ${currency}` }] } },
    )
  }
}

/**
 * The variants of a new product: those of the body (checked against its options), or one of the
 * product's own SKU, price and stock. The first takes the product's id.
 */
function newVariants(body: catalog.CreateProductBody, id: string, newId: () => string) {
  const options = body.options ?? []
  checkProductOptions(options)
  if (body.variants === undefined) {
    if (options.length > 0) {
      throw new AppError(
        'unprocessable',
        'CATALOG.VARIANTS_REQUIRED',
        'A product with options needs its variants.',
        { details: { errors: [{ path: '/body/variants', message: 'is required with options' }] } },
      )
    }
    return [
      {
        id,
        sku: body.sku,
        options: {},
        priceAmount: body.price.amount,
        imageUrl: null,
        onHand: body.onHand ?? 0,
        weightGrams: body.weightGrams ?? 0,
      },
    ]
  }
  if (body.onHand !== undefined) {
    throw new AppError(
      'unprocessable',
      'CATALOG.STOCK_PER_VARIANT',
      "A product with variants has each variant's stock: give `onHand` in its variants.",
      { details: { errors: [{ path: '/body/onHand', message: 'goes in each variant' }] } },
    )
  }
  checkNewVariants(options, body.variants, body.sku)
  return body.variants.map((v, i): NewVariant => {
    checkCurrency(body.price.currency, v.price, `/body/variants/${i}/price`)
    return {
      id: i === 0 ? id : newId(),
      sku: v.sku,
      options: v.options,
      priceAmount: (v.price ?? body.price).amount,
      imageUrl: v.imageUrl ?? null,
      onHand: v.onHand ?? 0,
      weightGrams: v.weightGrams ?? body.weightGrams ?? 0,
    }
  })
}

/**
 * `POST /products` (admin), with its options and variants when it has some: 409 when a SKU is
 * taken (deleted products keep theirs), 422 when the variants do not match the options. Published
 * at once unless `status` is `draft` (issue 17).
 */
export function createCreateProduct(deps: Deps) {
  const newId = deps.newId ?? randomUUID
  return async (body: catalog.CreateProductBody, actor?: Actor): Promise<catalog.Product> => {
    const id = newId()
    const variants = newVariants(body, id, newId)
    const categoryId = await categoryIdOf(deps.store, body.categoryId, '/body/categoryId')
    const outcome = await deps.store.insertProduct(
      {
        id,
        sku: body.sku,
        name: body.name,
        description: body.description ?? '',
        currency: body.price.currency,
        categoryId,
        imageUrl: body.imageUrl ?? null,
        attributes: (body.attributes ?? {}) as Record<string, unknown>,
        options: body.options ?? [],
        variants,
        status: body.status ?? 'published',
        taxClass: body.taxClass ?? catalog.standardTaxClass,
        now: deps.now(),
      },
      actor,
    )
    if (outcome !== 'inserted') throw skuTaken(outcome.skuTaken)
    return reread(deps.store, id)
  }
}

/**
 * `PATCH /products/{id}` (admin). `price` sets the price of a product's one variant; a product
 * of several is a 409 `CATALOG.PRICE_PER_VARIANT`. `status` publishes a draft or takes a product
 * back to draft (issue 17); `product.updated` carries it either way.
 */
export function createUpdateProduct(deps: Deps) {
  return async (
    id: string,
    body: catalog.UpdateProductBody,
    actor?: Actor,
  ): Promise<catalog.Product> => {
    const patch: ProductPatch = { ...body } as ProductPatch
    if (body.categoryId !== undefined) {
      patch.categoryId = await categoryIdOf(deps.store, body.categoryId, '/body/categoryId')
    }
    const outcome = await deps.store.updateProduct(id, patch, deps.now(), actor)
    if (outcome === 'not_found') throw productNotFound()
    if (outcome === 'price_per_variant') {
      throw new AppError(
        'conflict',
        'CATALOG.PRICE_PER_VARIANT',
        'This product has several variants, each with its own price: change them with ' +
          'PATCH /products/{id}/variants/{variantId}.',
      )
    }
    return reread(deps.store, id)
  }
}

/** `DELETE /products/{id}` (admin): soft; the product leaves listings, orders keep their lines. */
export function createDeleteProduct(deps: Deps) {
  return async (id: string, actor?: Actor): Promise<void> => {
    const outcome = await deps.store.deleteProduct(id, deps.now(), actor)
    if (outcome === 'not_found') throw productNotFound()
  }
}

/** `GET /products/{id}/stock` (admin): on hand, reserved and available (its variants' sums). */
export function createGetStock(deps: { store: CatalogStore }) {
  return async (id: string): Promise<catalog.StockLevel> => {
    const stock = await deps.store.getStock(id)
    if (!stock) throw productNotFound()
    return stock
  }
}

/** The 409 of a stock set below what reservations hold. */
export function stockBelowReserved(reserved: number): AppError {
  return new AppError(
    'conflict',
    'CATALOG.STOCK_BELOW_RESERVED',
    `onHand cannot be below the ${reserved} units reserved.`,
    { details: { reserved } },
  )
}

/**
 * `PUT /products/{id}/stock` (admin): 409 when onHand would fall below what is reserved, and
 * for a product of several variants (`CATALOG.STOCK_PER_VARIANT`: each has its own stock).
 */
export function createSetStock(deps: { store: CatalogStore }) {
  return async (id: string, onHand: number, actor?: Actor): Promise<catalog.StockLevel> => {
    const outcome = await deps.store.setStock(id, onHand, actor)
    if (outcome === 'not_found') throw productNotFound()
    if (outcome === 'per_variant') {
      throw new AppError(
        'conflict',
        'CATALOG.STOCK_PER_VARIANT',
        'This product has several variants, each with its own stock: set it with ' +
          'PUT /products/{id}/variants/{variantId}/stock.',
      )
    }
    if ('below' in outcome) throw stockBelowReserved(outcome.below.reserved)
    return outcome
  }
}
