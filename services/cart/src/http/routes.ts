import Type from 'typebox'
import { Problem, cart } from '@emporium/contracts'
import { identityOf, type HttpRoutes, type JwtVerifier, bearerAuth } from '@emporium/platform'
import type { FastifyRequest } from 'fastify'
import type { PricedCart } from '../domain/pricing.js'

/** The use cases the routes call, wired by service.ts. */
export interface CartRoutesDeps {
  verifier: JwtVerifier
  getCart(userId: string): Promise<PricedCart>
  addItem(userId: string, body: cart.AddItemBody): Promise<PricedCart>
  updateItem(
    userId: string,
    productId: string,
    quantity: number,
    variantId?: string,
  ): Promise<PricedCart>
  removeItem(userId: string, productId: string, variantId?: string): Promise<PricedCart>
  clearCart(userId: string): Promise<void>
}

const tags = ['cart']

/**
 * API.md's Cart table at the service's root (the gateway strips `/api/v1`). The cart is always
 * the caller's own, found by the verified token's `sub`: no route takes a cart or user id, so
 * another customer's cart cannot even be named.
 */
export function cartRoutes(deps: CartRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)
    const userOf = (request: FastifyRequest) => identityOf(request)!.userId
    const errors = {
      400: Problem,
      401: Problem,
      404: Problem,
      409: Problem,
      422: Problem,
      503: Problem,
    }

    app.get(
      '/cart',
      {
        onRequest: auth.authenticate,
        schema: { tags, summary: 'The caller’s cart', response: { 200: cart.Cart, 401: Problem } },
      },
      async (request) => deps.getCart(userOf(request)),
    )

    app.post(
      '/cart/items',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary:
            'Add units of a product’s variant (merged with its line), at the catalog’s price',
          body: cart.AddItemBody,
          response: { 200: cart.Cart, ...errors },
        },
      },
      async (request) => deps.addItem(userOf(request), request.body),
    )

    app.patch(
      '/cart/items/:productId',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'Set a line’s quantity (0 removes it); ?variantId= names the variant’s line',
          params: cart.ItemParams,
          querystring: cart.ItemQuery,
          body: cart.UpdateItemBody,
          response: { 200: cart.Cart, ...errors },
        },
      },
      async (request) =>
        deps.updateItem(
          userOf(request),
          request.params.productId,
          request.body.quantity,
          request.query.variantId,
        ),
    )

    app.delete(
      '/cart/items/:productId',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary:
            'Remove a variant’s line, or every line of the product (an absent line is not an error)',
          params: cart.ItemParams,
          querystring: cart.ItemQuery,
          response: { 200: cart.Cart, 400: Problem, 401: Problem },
        },
      },
      async (request) =>
        deps.removeItem(userOf(request), request.params.productId, request.query.variantId),
    )

    app.delete(
      '/cart',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'Empty the cart',
          response: { 204: Type.Null({ description: 'Emptied.' }), 401: Problem },
        },
      },
      async (request, reply) => {
        await deps.clearCart(userOf(request))
        return reply.code(204).send(null)
      },
    )
  }
}
