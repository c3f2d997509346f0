import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'

/*
 * The SSRF guard of every attempt (issue 21): a partner's URL must not reach this platform's own
 * network. Its host is resolved (every address) and refused when any address is private,
 * loopback, link-local, unique-local, multicast, unspecified, reserved or IPv4-mapped; the
 * connection then goes to the very address checked (undici's `connect.lookup`), so a DNS answer
 * that changes between the check and the connection (rebinding) cannot slip through.
 */

// Two lists: a BlockList checks an IPv4 address against its IPv6 rules too (as ::ffff:a.b.c.d),
// and the IPv4-mapped range below would then refuse every IPv4 address.
const blocked4 = new BlockList()
const blocked6 = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", the unspecified address
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  blocked4.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::ffff:0:0', 96], // IPv4-mapped
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64: an IPv4 address inside
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: an IPv4 address inside
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked6.addSubnet(net, prefix, 'ipv6')
}

/** Why an address may not be reached, or undefined when it may. */
export function refusalOf(address: string): string | undefined {
  const family = isIP(address)
  if (family === 0) return `${address} is not an IP address`
  const refused = family === 4 ? blocked4.check(address, 'ipv4') : blocked6.check(address, 'ipv6')
  return refused ? `address ${address} is not public` : undefined
}

/** A refused destination: recorded as the attempt's error (retried like a connection error). */
export class AddressRefused extends Error {
  constructor(host: string, reason: string) {
    super(`refused: ${host}: ${reason}`)
    this.name = 'AddressRefused'
  }
}

type Resolve = (host: string) => Promise<LookupAddress[]>

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  )

/**
 * The addresses of `host` when every one is public; throws AddressRefused otherwise (one bad
 * address is enough: a resolver may hand out either).
 */
export async function vetHost(
  host: string,
  resolve: Resolve = systemResolve,
): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[|\]$/g, '')
  const family = isIP(bare)
  const addresses = family !== 0 ? [{ address: bare, family }] : await resolve(bare)
  if (addresses.length === 0) throw new AddressRefused(host, 'no address')
  for (const { address } of addresses) {
    const reason = refusalOf(address)
    if (reason) throw new AddressRefused(host, reason)
  }
  return addresses
}

/**
 * A `lookup` for the socket undici opens: resolves and vets the host itself, and hands the socket
 * only vetted addresses. Hosts on `allowedHosts` (development) are resolved without the check.
 */
export function guardedLookup(
  allowedHosts: readonly string[],
  resolve: Resolve = systemResolve,
): LookupFunction {
  return (hostname, options, callback) => {
    const host = hostname.toLowerCase()
    const vetted = allowedHosts.includes(host) ? resolve(host) : vetHost(host, resolve)
    vetted.then(
      (addresses) => {
        if (options.all) {
          ;(callback as (e: null, a: LookupAddress[]) => void)(null, addresses)
        } else {
          const first = addresses[0]!
          callback(null, first.address, first.family)
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    )
  }
}
