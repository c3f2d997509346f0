import { describeOperation, nameBodySchemas, sharedComponents } from './openapi-describe.js'
import type { RouteMatch } from './route-match.js'
import type { UpstreamName } from './route-table.js'

type Json = Record<string, unknown>
type Matcher = (method: string, segments: readonly string[]) => RouteMatch | undefined

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** The gateway's own document: what is served when no service document is available. */
export function baseDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Emporium public API',
      version: '1.0.0',
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Every client call goes through the gateway under /api/v1. Errors are RFC 9457 problem ' +
        'documents; every response carries x-request-id and ratelimit-* headers.',
    },
    servers: [{ url: '/' }],
    paths: {},
    components: {
      ...sharedComponents(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
    tags: [],
  }
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Replaces `$ref`s by `renames` everywhere in a value (a copy). */
function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames))
  if (!isObject(value)) return value
  const out: Json = {}
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof item === 'string'
        ? (renames.get(item) ?? item)
        : rewriteRefs(item, renames)
  }
  return out
}

/**
 * Merges the services' documents into the public one: each service path appears under its
 * public path (`/products/{id}` → `/api/v1/products/{id}`) only where the route table sends
 * that method and path to that service (internal routes stay out), with the access the table
 * gives it, described for client generators (openapi-describe.ts). Components of the same name
 * but different content are renamed `<service>_<name>`.
 */
export function mergeOpenApi(
  documents: ReadonlyArray<{ upstream: UpstreamName; document: Json }>,
  match: Matcher,
): Json {
  const merged = baseDocument()
  const paths = merged.paths as Record<string, Json>
  const components = merged.components as Record<string, Json>
  const tags = merged.tags as Json[]
  for (const { upstream, document } of documents) {
    const renames = new Map<string, string>()
    const own = isObject(document.components) ? document.components : {}
    for (const [section, entries] of Object.entries(own)) {
      if (!isObject(entries)) continue
      const target = (components[section] ??= {})
      for (const [name, value] of Object.entries(entries)) {
        const same = JSON.stringify(target[name]) === JSON.stringify(value)
        if (name in target && !same) {
          renames.set(
            `#/components/${section}/${name}`,
            `#/components/${section}/${upstream}_${name}`,
          )
        }
      }
    }
    const doc = rewriteRefs(document, renames) as Json
    for (const [section, entries] of Object.entries(
      isObject(doc.components) ? doc.components : {},
    )) {
      if (!isObject(entries)) continue
      const target = (components[section] ??= {})
      for (const [name, value] of Object.entries(entries)) {
        const renamed = renames.get(`#/components/${section}/${name}`)?.split('/').pop() ?? name
        target[renamed] ??= value
      }
    }
    let used = false
    for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
      if (!isObject(item)) continue
      for (const method of methods) {
        const operation = item[method]
        if (!isObject(operation)) continue
        const placed = publicPath(path, method.toUpperCase(), upstream, match)
        if (!placed) continue
        used = true
        const entry = (paths[placed.path] ??= {})
        if (Array.isArray(item.parameters)) entry.parameters ??= item.parameters
        entry[method] = describeOperation(
          { tags: [upstream], ...operation },
          {
            method,
            path: placed.path,
            access: placed.access,
            permission: placed.permission,
            pathParameters: entry.parameters,
          },
        )
      }
    }
    if (used) tags.push({ name: upstream, description: `Served by the ${upstream} service.` })
  }
  nameBodySchemas(merged)
  return merged
}

function publicPath(
  path: string,
  method: string,
  upstream: UpstreamName,
  match: Matcher,
): { path: string; access: string; permission?: string } | undefined {
  for (const candidate of [`/api/v1${path === '/' ? '' : path}`, path]) {
    const found = match(method, candidate.split('/').filter(Boolean))
    if (found?.rule.upstream !== upstream) continue
    const stripped = found.upstreamPath === '/' ? '/' : found.upstreamPath
    // The candidate must reach the service at this very path (not a prefix-stripped other).
    if (decodeURIComponent(stripped) !== (path === '' ? '/' : path)) continue
    return { path: candidate, access: found.rule.access, permission: found.rule.permission }
  }
  return undefined
}
