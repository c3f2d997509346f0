import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import { catalog, Problem } from '@emporium/contracts'
import {
  bearerAuth,
  installCachedReads,
  serviceAuthorizationHeader,
  type HttpRoutes,
  type JwtVerifier,
  type ResponseCache,
} from '@emporium/platform'
import type { Viewer } from '../app/get-product.js'
import type { ListRequest } from '../domain/listing.js'
import { categoryRoutes, type CategoryRoutesDeps } from './category-routes.js'
import { mediaRoutes, type MediaRoutesDeps } from './media-routes.js'
import type { Actor } from '../domain/audit-trail.js'
import { actorOf } from './actor.js'
import { viewerOf } from './viewer.js'

/** The use cases the routes call, wired by service.ts. */
export interface CatalogRoutesDeps {
  verifier: JwtVerifier
  /** Public reads' answers, emptied by service.ts when the catalog changes. */
  cache: ResponseCache
  listProducts(request: ListRequest): Promise<catalog.ProductPage>
  suggestProducts(request: catalog.SuggestionsQuery): Promise<catalog.SuggestionList>
  countFacets(request: catalog.FacetsQuery): Promise<catalog.ProductFacets>
  getProduct(id: string, viewer: Viewer): Promise<catalog.Product>
  getProductImage(id: string): Promise<string>
  listCategories(): Promise<catalog.CategoryList>
  /** The writes below record `audit.recorded` with their actor (issue 19). */
  createProduct(body: catalog.CreateProductBody, actor?: Actor): Promise<catalog.Product>
  updateProduct(
    id: string,
    body: catalog.UpdateProductBody,
    actor?: Actor,
  ): Promise<catalog.Product>
  deleteProduct(id: string, actor?: Actor): Promise<void>
  setStock(id: string, onHand: number, actor?: Actor): Promise<catalog.StockLevel>
  getStock(id: string): Promise<catalog.StockLevel>
  addVariant(
    productId: string,
    body: catalog.NewVariantBody,
    actor?: Actor,
  ): Promise<catalog.Variant>
  updateVariant(
    productId: string,
    variantId: string,
    body: catalog.UpdateVariantBody,
    actor?: Actor,
  ): Promise<catalog.Variant>
  getVariantStock(productId: string, variantId: string): Promise<catalog.StockLevel>
  setVariantStock(
    productId: string,
    variantId: string,
    onHand: number,
    actor?: Actor,
  ): Promise<catalog.StockLevel>
  /** Product media (media-routes.ts). */
  media: MediaRoutesDeps
  /** Categories of the back office (category-routes.ts). */
  categories: Omit<CategoryRoutesDeps, 'verifier'>
}

const tags = ['catalog']
/** The answer to a request whose `if-none-match` names the current `etag` (issue 20). */
const notModified = Type.Null({
  description: 'Not modified: `if-none-match` names the current `etag` (no body).',
})

/**
 * API.md's Catalog table at the service's root (the gateway strips `/api/v1`) and the generated
 * product images (`/products/{id}/image`, under the gateway's public `/api/v1/products/**`).
 * Stock is reserved, committed and released only through the saga's events: there is no
 * reservation API anyone reaching the port could call.
 */
export function catalogRoutes(deps: CatalogRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)
    // Every route below whose config names a permission checks it first (issue 19).
    app.addHook('onRoute', auth.enforcePermissions)
    const catalogWriter = auth.requirePermission('catalog.write')
    const viewer = viewerOf(deps.verifier)
    // Public reads from the cache, the same for everyone: staff who see drafts read fresh, and
    // so do other services (orders' authoritative price), whose calls are few.
    installCachedReads(app, deps.cache)
    const internal = (request: FastifyRequest) =>
      request.headers[serviceAuthorizationHeader] !== undefined
    const publicRead = { responseCache: { bypass: internal } }
    const drafts = {
      responseCache: {
        bypass: (request: FastifyRequest) =>
          internal(request) || 'status' in (request.query as object),
      },
    }
    const shopper = {
      responseCache: {
        bypass: async (request: FastifyRequest) =>
          internal(request) ||
          (request.headers.authorization !== undefined && (await viewer(request)).admin),
      },
    }
    await app.register(mediaRoutes(deps.media))
    await app.register(categoryRoutes({ verifier: deps.verifier, ...deps.categories }))

    app.get(
      '/products',
      {
        config: drafts,
        // `status` lists drafts: staff with catalog.write only (issue 17, 19); without it,
        // anyone reads.
        preHandler: async (request, reply) => {
          if (request.query.status !== undefined) await catalogWriter(request, reply)
        },
        schema: {
          tags,
          summary: 'List, filter, sort and search products',
          querystring: catalog.ListProductsQuery,
          response: {
            200: catalog.ProductPage,
            304: notModified,
            400: Problem,
            401: Problem,
            403: Problem,
          },
        },
      },
      async (request) => deps.listProducts(request.query),
    )

    // Static paths: fastify matches them before `/products/:id` whatever the order.
    app.get(
      '/products/suggestions',
      {
        config: publicRead,
        schema: {
          tags,
          summary: 'Products whose name starts with what the shopper has typed (as they type)',
          querystring: catalog.SuggestionsQuery,
          response: { 200: catalog.SuggestionList, 304: notModified, 400: Problem },
        },
      },
      async (request) => deps.suggestProducts(request.query),
    )

    app.get(
      '/products/facets',
      {
        config: publicRead,
        schema: {
          tags,
          summary:
            "Counts by category, price band and stock of the products the list's filters match",
          querystring: catalog.FacetsQuery,
          response: { 200: catalog.ProductFacets, 304: notModified, 400: Problem },
        },
      },
      async (request) => deps.countFacets(request.query),
    )

    app.get(
      '/products/:id',
      {
        config: shopper,
        schema: {
          tags,
          summary: 'One product (a draft: admins only, 404 for others)',
          params: catalog.ProductParams,
          response: { 200: catalog.Product, 304: notModified, 404: Problem },
        },
      },
      async (request) => deps.getProduct(request.params.id, await viewer(request)),
    )

    app.get(
      '/products/:id/image',
      {
        schema: {
          tags,
          summary: "The product's generated picture (SVG)",
          params: catalog.ProductParams,
        },
      },
      async (request, reply) => {
        const svg = await deps.getProductImage(request.params.id)
        return reply
          .header('content-type', 'image/svg+xml; charset=utf-8')
          .header('cache-control', 'public, max-age=86400')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .send(svg)
      },
    )

    app.get(
      '/categories',
      {
        config: publicRead,
        schema: {
          tags,
          summary: 'Every category',
          response: { 200: catalog.CategoryList, 304: notModified },
        },
      },
      async () => deps.listCategories(),
    )

    app.post(
      '/products',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Create a product (staff: catalog.write)',
          body: catalog.CreateProductBody,
          response: {
            201: catalog.Product,
            400: Problem,
            401: Problem,
            403: Problem,
            409: Problem,
            422: Problem,
          },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await deps.createProduct(request.body, actorOf(request))),
    )

    app.patch(
      '/products/:id',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Change a product (staff: catalog.write)',
          params: catalog.ProductParams,
          body: catalog.UpdateProductBody,
          response: {
            200: catalog.Product,
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
            409: Problem,
          },
        },
      },
      async (request) => deps.updateProduct(request.params.id, request.body, actorOf(request)),
    )

    app.delete(
      '/products/:id',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Remove a product from the catalog (staff: catalog.write; soft)',
          params: catalog.ProductParams,
          response: {
            204: Type.Null({ description: 'Deleted.' }),
            401: Problem,
            403: Problem,
            404: Problem,
          },
        },
      },
      async (request, reply) => {
        await deps.deleteProduct(request.params.id, actorOf(request))
        return reply.code(204).send(null)
      },
    )

    app.get(
      '/products/:id/stock',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Stock of a product: on hand, reserved, available (staff: catalog.write)',
          // For the OpenAPI document only: the gateway lets every read of /products through,
          // and this one is checked here (preHandler), so the public document must say so.
          'x-emporium-access': 'admin',
          params: catalog.ProductParams,
          response: { 200: catalog.StockLevel, 401: Problem, 403: Problem, 404: Problem },
        },
      },
      async (request) => deps.getStock(request.params.id),
    )

    app.put(
      '/products/:id/stock',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Set the stock on hand (staff: catalog.write)',
          params: catalog.ProductParams,
          body: catalog.SetStockBody,
          response: {
            200: catalog.StockLevel,
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
            409: Problem,
          },
        },
      },
      async (request) => deps.setStock(request.params.id, request.body.onHand, actorOf(request)),
    )

    const adminErrors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem }

    app.post(
      '/products/:id/variants',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Add a variant to a product with options (staff: catalog.write)',
          params: catalog.ProductParams,
          body: catalog.NewVariantBody,
          response: { 201: catalog.Variant, ...adminErrors, 409: Problem, 422: Problem },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await deps.addVariant(request.params.id, request.body, actorOf(request))),
    )

    app.patch(
      '/products/:id/variants/:variantId',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: "Change a variant's SKU, price or image (staff: catalog.write)",
          params: catalog.VariantParams,
          body: catalog.UpdateVariantBody,
          response: { 200: catalog.Variant, ...adminErrors, 409: Problem, 422: Problem },
        },
      },
      async (request) =>
        deps.updateVariant(
          request.params.id,
          request.params.variantId,
          request.body,
          actorOf(request),
        ),
    )

    app.get(
      '/products/:id/variants/:variantId/stock',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: 'Stock of a variant: on hand, reserved, available (staff: catalog.write)',
          // As the product's stock read: checked here, so the public document must say so.
          'x-emporium-access': 'admin',
          params: catalog.VariantParams,
          response: { 200: catalog.StockLevel, 401: Problem, 403: Problem, 404: Problem },
        },
      },
      async (request) => deps.getVariantStock(request.params.id, request.params.variantId),
    )

    app.put(
      '/products/:id/variants/:variantId/stock',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: "Set a variant's stock on hand (staff: catalog.write)",
          params: catalog.VariantParams,
          body: catalog.SetStockBody,
          response: { 200: catalog.StockLevel, ...adminErrors, 409: Problem },
        },
      },
      async (request) =>
        deps.setVariantStock(
          request.params.id,
          request.params.variantId,
          request.body.onHand,
          actorOf(request),
        ),
    )
  }
}
