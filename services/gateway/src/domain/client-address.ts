export interface ProxyTrust {
  /** Whether a proxy in front sets `x-forwarded-for` (else the header is the client's say). */
  enabled: boolean
  /** How many trusted proxies append to `x-forwarded-for`. */
  hops: number
}

function forwardedList(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '')
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
}

/**
 * The client's address. Without a trusted proxy it is the connection's peer, whatever
 * `x-forwarded-for` says. Behind `hops` trusted proxies, each appends the address it received
 * the request from, so the client is the entry `hops` from the right: entries further left were
 * written by whoever sent them and prove nothing.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: ProxyTrust,
): string {
  const socket = normalizeAddress(peer ?? 'unknown')
  if (!trust.enabled) return socket
  const list = forwardedList(forwardedFor)
  if (list.length === 0) return socket
  return normalizeAddress(list[Math.max(0, list.length - trust.hops)]!)
}

/** What to send upstream as `x-forwarded-for`: the trusted chain plus the peer, or the peer. */
export function forwardedForHeader(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: ProxyTrust,
): string {
  const socket = peer ?? 'unknown'
  if (!trust.enabled) return socket
  return [...forwardedList(forwardedFor), socket].join(', ')
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; lower-cased; brackets and an IPv4 port removed. */
export function normalizeAddress(address: string): string {
  let value = address.trim().toLowerCase()
  if (value.startsWith('['))
    value = value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined)
  if (value.startsWith('::ffff:') && value.includes('.')) value = value.slice(7)
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'))
  return value
}

/** An IPv6 address's /64 network (`2001:db8:1:2::/64`), or undefined when it is not IPv6. */
export function ipv6Network(address: string): string | undefined {
  if (!address.includes(':') || !/^[0-9a-f:]+$/.test(address)) return undefined
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] ? halves[0].split(':') : []
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  const missing = 8 - head.length - tail.length
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail]
  if (groups.some((group) => group.length === 0 || group.length > 4)) return undefined
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

/**
 * Whose quota a request spends: the verified user's, else its address's. An IPv6 client
 * usually holds a whole /64, so its network is the unit, or it would have 2^64 quotas.
 */
export function rateLimitSubject(userId: string | undefined, address: string): string {
  if (userId) return `user:${userId}`
  return `ip:${ipv6Network(address) ?? address}`
}
