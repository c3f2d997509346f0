/**
 * The rules of an endpoint's URL at registration and change (issue 21): absolute, https (http
 * only for a host on the development allow-list), no user name or password, at most 2 kB. Where
 * it resolves is checked at every attempt (infra/address-guard.ts), not here: DNS may change.
 */
export type UrlCheck = { ok: true; url: string } | { ok: false; message: string }

export const maxUrlLength = 2048

/** The host as compared with the allow-list: lower case, an IPv6 address without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, '')
}

export function checkEndpointUrl(text: string, allowedHosts: readonly string[]): UrlCheck {
  if (text.length > maxUrlLength) return { ok: false, message: 'is longer than 2048 characters' }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { ok: false, message: 'is not an absolute URL' }
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'must not carry a user name or password' }
  }
  const allowed = allowedHosts.includes(hostOf(url))
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) {
    return { ok: false, message: 'must be https' }
  }
  if (url.hostname === '') return { ok: false, message: 'has no host' }
  url.hash = ''
  const normalized = url.toString()
  if (normalized.length > maxUrlLength) {
    return { ok: false, message: 'is longer than 2048 characters' }
  }
  return { ok: true, url: normalized }
}
