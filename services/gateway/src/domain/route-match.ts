import { AppError } from '@emporium/platform/errors'
import type { RouteRule } from './route-table.js'

/**
 * A request path in one canonical form: decoded segments, no empty ones (`//`, a trailing `/`),
 * no `.` or `..`. Rules match it, and the upstream receives it re-encoded, so a path the gateway
 * checked cannot mean another route upstream (`/orders/1/%73hip` is `/orders/1/ship` to both).
 * Throws a 400 for undecodable percent-encoding, dot segments and control characters.
 */
export function canonicalSegments(rawPath: string): string[] {
  const segments: string[] = []
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      throw badPath()
    }
    // eslint-disable-next-line no-control-regex
    if (segment === '.' || segment === '..' || /[\u0000-\u001f\u007f]/.test(segment)) {
      throw badPath()
    }
    segments.push(segment)
  }
  return segments
}

function badPath(): AppError {
  return new AppError('invalid', 'HTTP.BAD_PATH', 'The request path is not valid.')
}

/** Segments back into a path, each percent-encoded as needed. */
export function encodePath(segments: readonly string[]): string {
  return `/${segments.map(encodeURIComponent).join('/')}`
}

export interface RouteMatch {
  rule: RouteRule
  /** The path the upstream gets (the public one without the rule's prefix), encoded. */
  upstreamPath: string
}

function pathMatches(pattern: readonly string[], segments: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i]!
    if (part === '**' && i === pattern.length - 1) return true
    const segment = segments[i]
    if (segment === undefined) return false
    if (!part.startsWith(':') && part !== segment) return false
  }
  return segments.length === pattern.length
}

const splitPattern = (path: string) => path.split('/').filter(Boolean)

/** Finds the rule for a method and canonical path segments; the first that matches wins. */
export function createRouteMatcher(table: readonly RouteRule[]) {
  const compiled = table.map((rule) => ({
    rule,
    pattern: splitPattern(rule.path),
    strip: splitPattern(rule.strip ?? '/api/v1').length,
  }))
  return function match(method: string, segments: readonly string[]): RouteMatch | undefined {
    for (const { rule, pattern, strip } of compiled) {
      if (rule.methods !== 'any' && !(rule.methods as readonly string[]).includes(method)) continue
      if (!pathMatches(pattern, segments)) continue
      return { rule, upstreamPath: encodePath(segments.slice(strip)) }
    }
    return undefined
  }
}
