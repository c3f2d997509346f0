import { catalog as contracts, validatorOf } from '@emporium/contracts'
import { AppError, isAppError, type ServiceClient } from '@emporium/platform'
import type { Catalog } from '../app/ports.js'

export interface HttpCatalogOptions {
  /** A client of the catalog's internal API (timeout, retries, breaker). */
  client: ServiceClient
  /** Least time between two background probes of an unreachable catalog. */
  probeEveryMs?: number
  /** `retry-after` of a 503 when the breaker gives none. */
  retryAfterSeconds?: number
  now?: () => number
}

/**
 * The catalog's `GET /products/{id}`, with its variants. Remembers whether its last answer was a failure: carts are
 * then shown `stale`. While unreachable, reads trigger a background probe (`/healthz`, at most
 * one per `probeEveryMs`), so carts stop being stale when the catalog is back even if nobody
 * adds an item; reads never wait for it.
 */
export function createHttpCatalog(options: HttpCatalogOptions): Catalog {
  const { client } = options
  const now = options.now ?? Date.now
  const probeEveryMs = options.probeEveryMs ?? 5_000
  let up = true
  let lastProbe = 0

  function failed(error: unknown): never {
    if (isAppError(error) && (error.kind === 'unavailable' || error.kind === 'timeout')) {
      up = false
      lastProbe = now()
      throw new AppError(
        'unavailable',
        'CART.CATALOG_UNAVAILABLE',
        'The catalog cannot answer now; try again shortly.',
        {
          cause: error,
          details: {
            retryAfterSeconds: error.details.retryAfterSeconds ?? options.retryAfterSeconds ?? 5,
          },
        },
      )
    }
    throw error
  }

  return {
    async product(productId) {
      let response
      try {
        response = await client.request<unknown>({
          method: 'GET',
          path: `/products/${encodeURIComponent(productId)}`,
        })
      } catch (error) {
        failed(error)
      }
      up = true
      if (response.status === 404 || response.status === 400) return undefined
      if (response.status !== 200 || !validatorOf(contracts.Product).Check(response.body)) {
        failed(
          new AppError(
            'unavailable',
            'UPSTREAM.UNAVAILABLE',
            `catalog answered ${response.status}`,
          ),
        )
      }
      const product = response.body as contracts.Product
      // A catalog from before variants answers none: the product is its one variant.
      const variants = product.variants ?? [
        {
          id: product.id,
          price: product.price,
          available: product.available,
          label: undefined,
        },
      ]
      return {
        productId: product.id,
        name: product.name,
        variants: variants.map((v) => ({
          variantId: v.id,
          ...(v.label !== undefined ? { label: v.label } : {}),
          unitPrice: { amount: v.price.amount, currency: v.price.currency },
          available: v.available,
        })),
      }
    },
    reachable() {
      if (!up && now() - lastProbe >= probeEveryMs) {
        lastProbe = now()
        client
          .request({ method: 'GET', path: '/healthz' })
          .then((response) => {
            if (response.status === 200) up = true
          })
          .catch(() => undefined)
      }
      return up
    },
  }
}
