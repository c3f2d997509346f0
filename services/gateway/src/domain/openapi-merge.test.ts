import { describe, expect, it } from 'vitest'
import { operationIdOf } from './openapi-describe.js'
import { baseDocument, mergeOpenApi } from './openapi-merge.js'
import { createRouteMatcher } from './route-match.js'
import { routeTable } from './route-table.js'

const match = createRouteMatcher(routeTable)
const ok = { '200': { description: 'OK' } }

const catalog = {
  openapi: '3.1.0',
  info: { title: 'catalog', version: '1' },
  paths: {
    '/products': { get: { summary: 'List', responses: ok }, post: { responses: ok } },
    '/products/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        'x-emporium-access': 'admin',
        responses: { '200': { $ref: '#/components/responses/Product' } },
      },
    },
    '/internal/reservations': { post: { responses: ok } },
  },
  components: {
    schemas: { Money: { type: 'object' }, Item: { type: 'string' } },
    responses: { Product: { description: 'A product' } },
  },
}
const cart = {
  openapi: '3.1.0',
  info: { title: 'cart', version: '1' },
  paths: {
    '/cart': {
      get: {
        responses: {
          '200': {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
          },
        },
      },
    },
  },
  components: { schemas: { Money: { type: 'object' }, Item: { type: 'integer' } } },
}

describe('mergeOpenApi', () => {
  it('is a valid OpenAPI 3.1 document with nothing to merge', () => {
    const merged = mergeOpenApi([], match)
    expect(merged).toEqual(baseDocument())
    expect(merged).toMatchObject({
      openapi: '3.1.0',
      info: { title: expect.any(String) },
      paths: {},
    })
  })

  it('puts public paths under /api/v1 with their access, and leaves internal routes out', () => {
    const merged = mergeOpenApi([{ upstream: 'catalog', document: catalog }], match) as {
      paths: Record<string, Record<string, Record<string, unknown>>>
    }
    expect(Object.keys(merged.paths).sort()).toEqual(['/api/v1/products', '/api/v1/products/{id}'])
    expect(merged.paths['/api/v1/products']!.get!.security).toEqual([])
    expect(merged.paths['/api/v1/products']!.post).toMatchObject({
      security: [{ bearerAuth: [] }],
      'x-emporium-access': 'admin',
      tags: ['catalog'],
    })
    expect(merged.paths['/api/v1/products/{id}']!.parameters).toHaveLength(1)
    // A public read the service guards itself says so with its own access.
    expect(merged.paths['/api/v1/products/{id}']!.get).toMatchObject({
      security: [{ bearerAuth: [] }],
      'x-emporium-access': 'admin',
    })
    expect(merged.paths['/api/v1/products/{id}']!.get!.responses).toHaveProperty('403')
  })

  it('keeps one copy of identical components and renames clashing ones', () => {
    const merged = mergeOpenApi(
      [
        { upstream: 'catalog', document: catalog },
        { upstream: 'cart', document: cart },
      ],
      match,
    ) as {
      paths: Record<string, Record<string, unknown>>
      components: Record<string, Record<string, unknown>>
    }
    expect(Object.keys(merged.components.schemas!).sort()).toEqual([
      'Item',
      'Money',
      'Problem',
      'cart_Item',
    ])
    expect(JSON.stringify(merged.paths['/api/v1/cart'])).toContain('#/components/schemas/cart_Item')
    expect(merged.paths['/api/v1/cart']!.get).toMatchObject({ security: [{ bearerAuth: [] }] })
  })

  it('only places a path where the table sends it to that very service', () => {
    const orders = {
      openapi: '3.1.0',
      info: { title: 'orders', version: '1' },
      paths: {
        '/orders/{id}/events': { get: { responses: ok } },
        '/orders': { get: { responses: ok } },
      },
    }
    const merged = mergeOpenApi([{ upstream: 'orders', document: orders }], match) as {
      paths: object
    }
    expect(Object.keys(merged.paths)).toEqual(['/api/v1/orders'])
  })

  it('describes every operation for a client generator', () => {
    const orders = {
      openapi: '3.1.0',
      info: { title: 'orders', version: '1' },
      paths: {
        '/orders': {
          post: {
            requestBody: {
              content: { 'application/json': { schema: { type: 'object', properties: {} } } },
            },
            responses: {
              '202': {
                description: 'Default Response',
                content: { 'application/json': { schema: { type: 'object' } } },
              },
              '409': {
                description: 'Default Response',
                content: { 'application/json': { schema: { type: 'object' } } },
              },
              '422': { description: 'Another body under the same key.' },
            },
          },
        },
        '/orders/{id}': {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          get: { responses: ok },
        },
      },
    }
    const merged = mergeOpenApi([{ upstream: 'orders', document: orders }], match) as {
      paths: Record<string, Record<string, Record<string, Record<string, unknown>>>>
      components: Record<string, Record<string, unknown>>
    }
    const place = merged.paths['/api/v1/orders']!.post!
    expect(place.operationId).toBe('postOrders')
    expect(place.security).toEqual([{ bearerAuth: [] }])
    expect(place.requestBody).toMatchObject({
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/PostOrdersRequest' } },
      },
    })
    const responses = place.responses!
    expect(Object.keys(responses)).toEqual(
      expect.arrayContaining(['202', '409', '422', '400', '401', '413', '415', '429', 'default']),
    )
    expect(Object.keys(responses).at(-1)).toBe('default')
    expect(responses['202']).toMatchObject({
      description: 'Accepted',
      headers: { 'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' } },
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/PostOrdersResponse' } },
      },
    })
    expect(responses['409']).toEqual({ $ref: '#/components/responses/Conflict' })
    expect(responses['422']).toMatchObject({
      description: 'Another body under the same key.',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    })
    expect(responses['429']).toEqual({ $ref: '#/components/responses/TooManyRequests' })
    expect(merged.components.responses!.TooManyRequests).toMatchObject({
      headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
    })
    const get = merged.paths['/api/v1/orders/{id}']!.get!
    expect(get.operationId).toBe('getOrdersById')
    expect(Object.keys(get.responses!)).toEqual(
      expect.arrayContaining(['200', '400', '401', '404', '429']),
    )
    expect(get.responses!['403']).toBeUndefined()
    expect(get.responses!['413']).toBeUndefined()
  })
})

describe('operationIdOf', () => {
  it('derives camelCase ids from the method and the public path', () => {
    expect(operationIdOf('POST', '/api/v1/orders/{id}/cancel')).toBe('postOrdersByIdCancel')
    expect(operationIdOf('get', '/.well-known/jwks.json')).toBe('getWellKnownJwksJson')
    expect(operationIdOf('post', '/api/v1/auth/verify-email/resend')).toBe(
      'postAuthVerifyEmailResend',
    )
  })
})
