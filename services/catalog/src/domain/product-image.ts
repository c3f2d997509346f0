/** The address of the generated image of a product without an image of its own. */
export function defaultImageUrl(productId: string): string {
  return `/api/v1/products/${encodeURIComponent(productId)}/image`
}

/** A small, generated SVG picture of a product: a colour of its own and its initials. */
export function productImageSvg(product: { sku: string; name: string }): string {
  let h = 0
  for (const char of product.sku) h = (Math.imul(h, 31) + char.charCodeAt(0)) >>> 0
  const hue = h % 360
  const initials = product.name
    .split(/\s+/)
    .filter((word) => /^[A-Za-z]/.test(word))
    .slice(-2)
    .map((word) => word[0]!.toUpperCase())
    .join('')
  const label = escapeXml(product.name.length > 28 ? `${product.name.slice(0, 27)}…` : product.name)
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320" viewBox="0 0 320 320">` +
    `<rect width="320" height="320" fill="hsl(${hue},55%,88%)"/>` +
    `<circle cx="160" cy="140" r="80" fill="hsl(${hue},50%,55%)"/>` +
    `<text x="160" y="158" font-family="sans-serif" font-size="48" text-anchor="middle" fill="#fff">${escapeXml(initials)}</text>` +
    `<text x="160" y="270" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#333">${label}</text>` +
    `</svg>`
  )
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
