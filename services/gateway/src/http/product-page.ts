import type { FastifyRequest } from 'fastify'
import type { ProductReader } from '../app/ports.js'
import { edgeStateOf } from './edge.js'
import { missingProductHead, productHead, type PageHead } from './product-head.js'

export interface ProductPageOptions {
  products: ProductReader
  /** The configured public origin (GATEWAY_PUBLIC_URL); empty: the request's. */
  publicUrl: string
  /** Behind a trusted proxy: its `x-forwarded-host` names the host. */
  trustProxy: boolean
}

/** A page's head and the status it is served with. */
export interface HeadAnswer {
  status: 200 | 404
  head: PageHead
}

// The storefront's product route (apps/storefront/src/app.tsx: `/products/:id`).
const productPath = /^\/products\/([^/]+)\/*$/
const longestId = 64 // the catalog's ids (contracts' `Id`)

/**
 * The head of a product page (`/products/:id`), read from the catalog: the product's title and
 * meta, or a 404's. Undefined for any other page, and when the catalog cannot say in time: the
 * page is then served as it is built, never failed for its meta.
 */
export function productPageHead(options: ProductPageOptions) {
  return async function head(request: FastifyRequest): Promise<HeadAnswer | undefined> {
    const id = productIdOf(request.url)
    if (id === undefined) return undefined
    if (id === null || id.length > longestId) return { status: 404, head: missingProductHead() }
    let product
    try {
      product = await options.products.read(id)
    } catch (error) {
      request.log.warn({ err: error, productId: id }, 'product page served without its meta')
      return undefined
    }
    if (!product) return { status: 404, head: missingProductHead() }
    return { status: 200, head: productHead(product, publicOrigin(request, options)) }
  }
}

/** The product id of a product page's URL; null when it cannot be one; else undefined. */
function productIdOf(url: string): string | null | undefined {
  const found = productPath.exec(url.split('?')[0] ?? '')
  if (!found) return undefined
  try {
    return decodeURIComponent(found[1]!)
  } catch {
    return null
  }
}

const hostPattern = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/

/**
 * The origin shoppers reach the shop at: the configured one, else the request's scheme (TLS at
 * the edge, or a trusted proxy's `x-forwarded-proto`, as the edge judges it) and host (a trusted
 * proxy's last `x-forwarded-host`, else `Host`). A host that is not a plain host name or address
 * gives none.
 */
export function publicOrigin(
  request: FastifyRequest,
  options: Pick<ProductPageOptions, 'publicUrl' | 'trustProxy'>,
): string | undefined {
  if (options.publicUrl) return options.publicUrl.replace(/\/+$/, '')
  const forwarded = options.trustProxy ? lastValue(request.headers['x-forwarded-host']) : undefined
  const host = (forwarded ?? request.headers.host ?? '').trim().toLowerCase()
  if (!hostPattern.test(host)) return undefined
  return `${edgeStateOf(request).secure ? 'https' : 'http'}://${host}`
}

function lastValue(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(',') : header
  const last = joined?.split(',').pop()?.trim()
  return last ? last : undefined
}
