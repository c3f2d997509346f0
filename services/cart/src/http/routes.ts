import Type from 'typebox'
import { Problem, Text, cart } from '@emporium/contracts'
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
  /** Moves the guest's cart the cart token names into the caller's. */
  mergeCart(userId: string, cartToken: string | undefined): Promise<cart.MergeCartResponse>
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

    app.post(
      '/cart/merge',
      {
        // An account only: a guest merging into itself, or into another guest, means nothing.
        onRequest: auth.requireAccount,
        schema: {
          tags,
          summary: "At sign-in, move a guest's cart (its token in x-cart-token) into the caller's",
          description:
            "The guest's token comes in the `x-cart-token` header (the gateway forwards the " +
            "browser's `emporium_cart` cookie or the client's `X-Cart-Token` as it). Quantities " +
            "of a variant in both carts add up to the line's most (99); lines past the cart's " +
            'most (100), units past 99 and lines in another currency are listed in `notMerged`. ' +
            "The guest's cart is emptied in the same write; a second merge changes nothing. A " +
            'missing, bad, expired or non-guest token is a 400 `CART.INVALID_CART_TOKEN`; a ' +
            "guest's bearer token a 403 `AUTH.GUEST_NOT_ALLOWED`.",
          headers: Type.Object({
            'x-cart-token': Type.Optional(
              Text({ maxLength: 8192, description: "The guest's cart token (POST /auth/guest)." }),
            ),
          }),
          response: {
            200: cart.MergeCartResponse,
            400: Problem,
            401: Problem,
            403: Problem,
            409: Problem,
            503: Problem,
          },
        },
      },
      async (request) =>
        deps.mergeCart(userOf(request), request.headers['x-cart-token'] as string | undefined),
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
