import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'

// A route whose body may be left out (issue 19: `POST /orders/{id}/cancel`, whose staff body is
// optional) says so in its config: `{ config: { optionalBody: true } }`.
declare module 'fastify' {
  interface FastifyContextConfig {
    optionalBody?: boolean
  }
}

/** The OpenAPI extension that marks such an operation until its document is finished. */
const marker = 'x-emporium-optional-body'

/**
 * An `onRoute` hook on the root: a route with `config.optionalBody` takes an absent body as `{}`
 * before validation (fastify validates a body schema against a missing body and refuses it).
 */
export function installOptionalBody(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.config?.optionalBody) return
    const own = route.preValidation === undefined ? [] : [route.preValidation].flat()
    const empty = async (request: FastifyRequest) => {
      request.body ??= {}
    }
    route.preValidation = [empty, ...own]
  })
}

/** The route's OpenAPI schema, marked when its body is optional (see `optionalBodies`). */
export function markOptionalBody<S extends object>(schema: S, route: RouteOptions): S {
  return route.config?.optionalBody ? { ...schema, [marker]: true } : schema
}

/**
 * The document with the marked operations' request bodies not required (@fastify/swagger makes
 * every body required), and the marker gone.
 */
export function optionalBodies<D>(document: D): D {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {}
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const op = operation as { [marker]?: boolean; requestBody?: { required?: boolean } }
      if (!op || typeof op !== 'object' || !op[marker]) continue
      delete op[marker]
      if (op.requestBody) op.requestBody.required = false
    }
  }
  return document
}
