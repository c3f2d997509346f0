import type { catalog } from '@emporium/contracts'

/** What a page's `<head>` gets: its title, and tags put before `</head>`. */
export interface PageHead {
  title: string
  tags: string[]
}

const site = 'Emporium'
const descriptionLength = 160

/** Text as HTML text or a quoted attribute value: nothing in it can close either. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` as JSON escapes, so
 * that no `</script>` or `<!--` inside a string ends the block (HTML does not read JSON's
 * strings); U+2028 and U+2029 too, which some parsers take for line ends.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** The description's first `max` characters on one line, cut at a word with an ellipsis. */
export function summary(text: string, max = descriptionLength): string {
  const line = text.replace(/\s+/g, ' ').trim()
  if (line.length <= max) return line
  const cut = line.slice(0, max - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`
}

/** Minor units as the decimal schema.org wants (`1999` USD → `19.99`; JPY has no decimals). */
export function decimalAmount(money: catalog.Product['price']): string {
  let digits = 2
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
  } catch {
    // An unknown code: cents, as most currencies.
  }
  return (money.amount / 10 ** digits).toFixed(digits)
}

const meta = (attribute: 'name' | 'property', key: string, content: string) =>
  `<meta ${attribute}="${key}" content="${escapeHtml(content)}" data-page-meta>`

/**
 * A product page's head: title as the storefront writes it (`{name} · Emporium`), description,
 * Open Graph, canonical link and a schema.org `Product` in JSON-LD. `origin` is the shop's
 * public origin (`https://shop.example`): every URL here is absolute, as link previews need;
 * without one, the tags that need a URL are left out rather than given a relative one.
 */
export function productHead(product: catalog.Product, origin: string | undefined): PageHead {
  const url = origin ? `${origin}/products/${encodeURIComponent(product.id)}` : undefined
  const image = origin ? absolute(product.imageUrl, origin) : undefined
  const description = summary(product.description)
  const available = product.available > 0
  const availability = `https://schema.org/${available ? 'InStock' : 'OutOfStock'}`
  const range = product.priceRange
  const offers =
    range && range.max.amount !== range.min.amount
      ? {
          '@type': 'AggregateOffer',
          lowPrice: decimalAmount(range.min),
          highPrice: decimalAmount(range.max),
          priceCurrency: range.min.currency,
          offerCount: product.variantCount ?? product.variants?.length ?? 1,
          availability,
          url,
        }
      : {
          '@type': 'Offer',
          price: decimalAmount(product.price),
          priceCurrency: product.price.currency,
          availability,
          url,
        }
  const data = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.name,
    description: description || undefined,
    image: image ? [image] : undefined,
    sku: product.sku,
    category: product.category?.name,
    url,
    offers,
  }
  const title = `${product.name} · ${site}`
  return {
    title,
    tags: [
      ...(description ? [meta('name', 'description', description)] : []),
      ...(url ? [`<link rel="canonical" href="${escapeHtml(url)}" data-page-meta>`] : []),
      meta('property', 'og:type', 'product'),
      meta('property', 'og:site_name', site),
      meta('property', 'og:title', product.name),
      ...(description ? [meta('property', 'og:description', description)] : []),
      ...(url ? [meta('property', 'og:url', url)] : []),
      ...(image ? [meta('property', 'og:image', image)] : []),
      ...(image ? [meta('name', 'twitter:card', 'summary_large_image')] : []),
      meta('property', 'product:price:amount', decimalAmount(product.price)),
      meta('property', 'product:price:currency', product.price.currency),
      `<script type="application/ld+json" data-page-meta>${scriptJson(data)}</script>`,
    ],
  }
}

/** The head of a product that is not there (a 404): the storefront's own heading, no index. */
export function missingProductHead(): PageHead {
  return {
    title: `Product not found · ${site}`,
    tags: [meta('name', 'robots', 'noindex')],
  }
}

/** An image address as an absolute `http(s)` URL: a path of this shop under `origin`. */
function absolute(imageUrl: string, origin: string): string | undefined {
  if (/^https?:\/\//i.test(imageUrl)) return imageUrl
  if (imageUrl.startsWith('/') && !imageUrl.startsWith('//')) return origin + imageUrl
  return undefined
}

/**
 * `html` (the storefront's index.html) with `head`: its `<title>` replaced, the tags added at
 * the end of `<head>`. A page without either is returned with what could be placed.
 */
export function withHead(html: string, head: PageHead): string {
  const title = `<title>${escapeHtml(head.title)}</title>`
  let out = /<title>[^<]*<\/title>/i.test(html)
    ? html.replace(/<title>[^<]*<\/title>/i, () => title)
    : html.replace(/<\/head>/i, () => `${title}\n</head>`)
  if (head.tags.length > 0) {
    out = out.replace(
      /([ \t]*)<\/head>/i,
      (_, indent: string) =>
        `${head.tags.map((tag) => `${indent}  ${tag}\n`).join('')}${indent}</head>`,
    )
  }
  return out
}
