import { hash } from 'node:crypto'

/**
 * A strong entity tag for a response body: a hash of its bytes, so that two replicas give one
 * body the same tag (a client may revalidate against either).
 */
export function etagOf(body: string | Buffer): string {
  return `"${hash('sha1', body, 'base64url')}"`
}

/**
 * Whether `If-None-Match` names the current tag (RFC 9110 13.1.2): `*`, or a list of tags
 * compared weakly (`W/"x"` matches `"x"`). A proxy that encodes the body weakens the tag it
 * passes on; the weak form sent back still matches.
 */
export function noneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false
  const value = Array.isArray(header) ? header.join(',') : header
  if (value.trim() === '*') return true
  const opaque = weakless(etag)
  for (const candidate of value.split(',')) {
    if (weakless(candidate.trim()) === opaque) return true
  }
  return false
}

/** The tag compared weakly: without its `W/`. */
export function weakless(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}
