import { injectTraceHeaders, isInfrastructureStatus } from '@emporium/platform'
import type { catalog } from '@emporium/contracts'
import type { Dispatcher } from 'undici'
import type { ProductReader, Upstreams } from '../app/ports.js'
import { ConnectFault, ServerFault } from '../domain/upstream-faults.js'

export interface CatalogProductsOptions {
  upstreams: Upstreams
  /** The gateway's dispatcher (its connection pools to the upstreams). */
  dispatcher: Dispatcher
  /** The whole read's deadline: a product page never waits longer for its meta. */
  timeoutMs: number
}

const connectCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND'])
const largestProduct = 1024 * 1024

/**
 * Reads a product from the catalog (`GET /products/{id}`, its public read) through the
 * gateway's upstream pool: its instances in turn, its circuit breaker (an open circuit throws at
 * once, no wait), the same faults counted as the proxy counts. Past the deadline the read is
 * abandoned and throws, without holding it against the catalog: the deadline is the page's,
 * far shorter than the upstream timeout that judges the catalog.
 */
export function createCatalogProducts(options: CatalogProductsOptions): ProductReader {
  return {
    async read(id) {
      const upstream = options.upstreams.get('catalog')
      if (!upstream) throw new Error('no catalog configured')
      const signal = AbortSignal.timeout(options.timeoutMs)
      return upstream.execute(async () => {
        const tried = new Set<string>()
        for (;;) {
          const base = upstream.next(tried)
          if (base === undefined) throw new ConnectFault('catalog', 'no instance answered')
          tried.add(base)
          let answer: Dispatcher.ResponseData
          try {
            answer = await options.dispatcher.request({
              origin: base,
              path: `/products/${encodeURIComponent(id)}`,
              method: 'GET',
              headers: { accept: 'application/json', ...injectTraceHeaders() },
              signal,
            })
          } catch (error) {
            if (!isConnectError(error)) throw error
            upstream.markDown(base)
            continue
          }
          const { statusCode, body } = answer
          if (statusCode === 503) upstream.markDown(base)
          else upstream.markUp(base)
          if (statusCode !== 200) {
            await body.dump().catch(() => undefined)
            if (statusCode === 404 || statusCode === 400) return undefined // no such product
            if (statusCode === 503 && tried.size < upstream.instances) continue
            if (isInfrastructureStatus(statusCode))
              throw new ServerFault('catalog', undefined, statusCode)
            throw new Error(`the catalog answered ${statusCode}`)
          }
          const text = await body.text()
          if (text.length > largestProduct) throw new Error('the product is too large')
          return productOf(JSON.parse(text))
        }
      })
    },
  }
}

function isConnectError(error: unknown): boolean {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if (connectCodes.has((e as { code?: string }).code ?? '')) return true
  }
  return false
}

/** The product, when the answer has what a page's head reads (the catalog's own contract). */
function productOf(value: unknown): catalog.Product {
  const p = value as Partial<catalog.Product> | null
  const ok =
    typeof p?.id === 'string' &&
    typeof p.name === 'string' &&
    typeof p.description === 'string' &&
    typeof p.sku === 'string' &&
    typeof p.imageUrl === 'string' &&
    typeof p.available === 'number' &&
    typeof p.price?.amount === 'number' &&
    typeof p.price.currency === 'string'
  if (!ok) throw new Error('the catalog answered something that is not a product')
  return p as catalog.Product
}
