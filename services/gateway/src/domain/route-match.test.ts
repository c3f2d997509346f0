import { describe, expect, it } from 'vitest'
import { canonicalSegments, createRouteMatcher } from './route-match.js'
import type { RouteRule } from './route-table.js'

// The matcher alone, on a table of its own (one rule per line, as a table reads best): which services the real table names is the
// declaration's business (route-table.test.ts).
// prettier-ignore
const table = [
  { methods: ['POST'], path: '/api/v1/a/login', upstream: 'a', access: 'public', limit: 'login' },
  { methods: ['GET', 'HEAD'], path: '/.well-known/keys.json', upstream: 'a', access: 'public', strip: '' },
  { methods: ['GET'], path: '/api/v1/b/:id/feed', upstream: 'c', access: 'bearer' },
  { methods: ['POST'], path: '/api/v1/b/:id/ship', upstream: 'b', access: 'admin' },
  { methods: ['GET', 'HEAD'], path: '/api/v1/b/**', upstream: 'b', access: 'public' },
  { methods: 'any', path: '/api/v1/b/**', upstream: 'b', access: 'bearer' },
] as unknown as RouteRule[]

const match = createRouteMatcher(table)
const route = (method: string, path: string) => {
  const found = match(method, canonicalSegments(path))
  return (
    found && {
      upstream: found.rule.upstream as string,
      access: found.rule.access,
      path: found.upstreamPath,
      limit: found.rule.limit,
    }
  )
}

describe('matching a request to a rule', () => {
  it.each([
    ['POST', '/api/v1/a/login', 'a', 'public', '/a/login'],
    ['GET', '/.well-known/keys.json', 'a', 'public', '/.well-known/keys.json'],
    ['HEAD', '/.well-known/keys.json', 'a', 'public', '/.well-known/keys.json'],
    ['GET', '/api/v1/b', 'b', 'public', '/b'],
    ['HEAD', '/api/v1/b/x/y/z', 'b', 'public', '/b/x/y/z'],
    ['POST', '/api/v1/b', 'b', 'bearer', '/b'],
    ['DELETE', '/api/v1/b/x', 'b', 'bearer', '/b/x'],
    ['GET', '/api/v1/b/o1/feed', 'c', 'bearer', '/b/o1/feed'],
    ['POST', '/api/v1/b/o1/feed', 'b', 'bearer', '/b/o1/feed'],
    ['GET', '/api/v1/b/o1/feed/more', 'b', 'public', '/b/o1/feed/more'],
    ['POST', '/api/v1/b/o1/ship', 'b', 'admin', '/b/o1/ship'],
  ])('%s %s → %s (%s) %s', (method, path, upstream, access, upstreamPath) => {
    expect(route(method, path)).toMatchObject({ upstream, access, path: upstreamPath })
  })

  it('takes the first rule that matches, in the order of the table', () => {
    const reversed = createRouteMatcher([...table].reverse())
    expect(reversed('GET', canonicalSegments('/api/v1/b/o1/feed'))?.rule.access).toBe('bearer')
    expect(reversed('GET', canonicalSegments('/api/v1/b/o1/feed'))?.rule.upstream).toBe('b')
  })

  it('carries the rule’s stricter limit', () => {
    expect(route('POST', '/api/v1/a/login')?.limit).toBe('login')
    expect(route('POST', '/api/v1/b/o1/ship')?.limit).toBeUndefined()
  })

  it('knows no other path', () => {
    for (const [method, path] of [
      ['GET', '/api/v1'],
      ['GET', '/api/v1/a/login'],
      ['POST', '/api/v1/a/admin'],
      ['GET', '/api/v1/bx'],
      ['GET', '/api/v2/b'],
      ['GET', '/b'],
      ['POST', '/.well-known/keys.json'],
      ['GET', '/api/v1/B'],
      ['GET', '/api/v1/c'],
    ] as const) {
      expect(route(method, path), `${method} ${path}`).toBeUndefined()
    }
  })

  it('gives every spelling of a path the same rule, and forwards it canonical', () => {
    expect(route('POST', '/api/v1/b/o1/%73hip')).toMatchObject({
      access: 'admin',
      path: '/b/o1/ship',
    })
    expect(route('POST', '//api/v1/b//o1/ship/')).toMatchObject({ access: 'admin' })
    expect(route('GET', '/api/v1/b/a%2Fb')).toMatchObject({ path: '/b/a%2Fb' })
    expect(route('GET', '/api/v1/b/caf%c3%a9')).toMatchObject({ path: '/b/caf%C3%A9' })
    expect(route('GET', '/api/v1/b/a%20b')).toMatchObject({ path: '/b/a%20b' })
  })

  it('refuses dot segments, bad encodings and control characters', () => {
    for (const path of [
      '/api/v1/a/../b',
      '/api/v1/%2e%2e/x',
      '/api/v1/./x',
      '/api/v1/%zz',
      '/api/v1/a%00b',
    ]) {
      expect(() => canonicalSegments(path), path).toThrow(
        expect.objectContaining({ code: 'HTTP.BAD_PATH' }),
      )
    }
  })
})
