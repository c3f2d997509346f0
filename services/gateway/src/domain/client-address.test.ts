import { describe, expect, it } from 'vitest'
import {
  clientAddress,
  forwardedForHeader,
  ipv6Network,
  normalizeAddress,
  rateLimitSubject,
} from './client-address.js'
import { loginAccountKey, normalizeEmail } from './login-account.js'

const untrusted = { enabled: false, hops: 1 }
const oneProxy = { enabled: true, hops: 1 }

describe('clientAddress', () => {
  it('ignores x-forwarded-for unless a proxy is trusted', () => {
    expect(clientAddress('10.0.0.5', '1.2.3.4', untrusted)).toBe('10.0.0.5')
    expect(clientAddress('::ffff:10.0.0.5', undefined, untrusted)).toBe('10.0.0.5')
  })

  it('takes the entry the trusted proxies appended, not what the client wrote before it', () => {
    expect(clientAddress('10.0.0.1', '1.2.3.4', oneProxy)).toBe('1.2.3.4')
    expect(clientAddress('10.0.0.1', 'forged, 1.2.3.4', oneProxy)).toBe('1.2.3.4')
    expect(
      clientAddress('10.0.0.1', ['forged', '1.2.3.4, 10.0.0.9'], { enabled: true, hops: 2 }),
    ).toBe('1.2.3.4')
    expect(clientAddress('10.0.0.1', '1.2.3.4', { enabled: true, hops: 3 })).toBe('1.2.3.4')
    expect(clientAddress('10.0.0.1', undefined, oneProxy)).toBe('10.0.0.1')
    expect(clientAddress('10.0.0.1', '', oneProxy)).toBe('10.0.0.1')
  })

  it('passes the chain on as x-forwarded-for', () => {
    expect(forwardedForHeader('10.0.0.1', 'forged', untrusted)).toBe('10.0.0.1')
    expect(forwardedForHeader('10.0.0.1', '1.2.3.4', oneProxy)).toBe('1.2.3.4, 10.0.0.1')
  })

  it('normalises addresses', () => {
    expect(normalizeAddress(' 1.2.3.4:5678 ')).toBe('1.2.3.4')
    expect(normalizeAddress('[2001:DB8::1]')).toBe('2001:db8::1')
    expect(normalizeAddress('::ffff:192.0.2.1')).toBe('192.0.2.1')
  })
})

describe('rateLimitSubject', () => {
  it('is the user when verified, else the address', () => {
    expect(rateLimitSubject('u1', '1.2.3.4')).toBe('user:u1')
    expect(rateLimitSubject(undefined, '1.2.3.4')).toBe('ip:1.2.3.4')
  })

  it('counts an IPv6 client by its /64', () => {
    expect(rateLimitSubject(undefined, '2001:db8:1:2:aaaa::1')).toBe('ip:2001:db8:1:2::/64')
    expect(rateLimitSubject(undefined, '2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe(
      'ip:2001:db8:1:2::/64',
    )
    expect(ipv6Network('::1')).toBe('0:0:0:0::/64')
    expect(ipv6Network('2001:0db8:0000:0001::')).toBe('2001:db8:0:1::/64')
    expect(ipv6Network('1.2.3.4')).toBeUndefined()
    expect(ipv6Network('1:2:3')).toBeUndefined()
    expect(ipv6Network('1::2::3')).toBeUndefined()
  })
})

describe('loginAccountKey', () => {
  const body = (value: unknown) => Buffer.from(JSON.stringify(value))

  it('is the same for every spelling of an e-mail, and never the e-mail itself', () => {
    const key = loginAccountKey(body({ email: 'Ann@Example.com', password: 'x' }))
    expect(key).toMatch(/^acct:[0-9a-f]{32}$/)
    expect(loginAccountKey(body({ email: '  ann@example.COM ' }))).toBe(key)
    expect(key).not.toContain('ann')
    expect(loginAccountKey(body({ email: 'bob@example.com' }))).not.toBe(key)
    expect(normalizeEmail('ＡＮＮ@example.com')).toBe('ann@example.com')
  })

  it('reads a body that starts with a byte-order mark, as the users service does', () => {
    const key = loginAccountKey(body({ email: 'ann@example.com', password: 'x' }))
    const marked = Buffer.concat([
      Buffer.from('\ufeff'),
      body({ email: 'ann@example.com', password: 'x' }),
    ])
    expect(loginAccountKey(marked)).toBe(key)
  })

  it('is undefined when the body names no e-mail', () => {
    for (const raw of ['', 'not json', 'null', '[]', '{"email": 5}', '{"email": "  "}']) {
      expect(loginAccountKey(Buffer.from(raw)), raw).toBeUndefined()
    }
    expect(loginAccountKey(undefined)).toBeUndefined()
  })
})
