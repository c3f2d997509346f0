import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { AppError } from '@emporium/platform'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify'
import { withHead } from './product-head.js'
import type { HeadAnswer } from './product-page.js'

/**
 * The pages' policy: everything from this origin only, no inline code, no framing. A product
 * page's JSON-LD (`<script type="application/ld+json">`) is a data block, never run, which
 * `script-src` does not concern.
 */
export const pageContentSecurityPolicy = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ')

// Paths that are never the single-page app, whatever the client accepts.
const apiPrefixes = ['/api/', '/.well-known/']
const operational = new Set(['/api', '/healthz', '/readyz', '/metrics'])

/** Whether a storefront build (its `index.html`) is in `dir`. */
export function hasStorefront(dir: string): boolean {
  return existsSync(join(dir, 'index.html'))
}

/** Whether the path may be answered with the app's page (history-routed client paths). */
export function isPagePath(path: string): boolean {
  // `/readyz/`, `/metrics/x`: never the page either, however a client spells them.
  const trimmed = path.replace(/\/+$/, '')
  for (const prefix of operational) {
    if (trimmed === prefix || trimmed.startsWith(`${prefix}/`)) return false
  }
  return !apiPrefixes.some((prefix) => path.startsWith(prefix))
}

const acceptsHtml = (request: FastifyRequest) =>
  (request.headers.accept ?? '').toLowerCase().includes('text/html')

/**
 * Serves the built storefront from `dir`: its files as they are (Vite's hashed `assets/` cached
 * for a year, everything else revalidated), and `index.html` for any other GET of a page path
 * from a client that accepts HTML, so that deep links reach the client-side router. What is
 * neither is the platform's JSON 404. `fallback` answers `GET /` for clients that do not accept
 * HTML (the JSON index of the API). `head`, when given, writes a page's title and meta into
 * index.html (a product's: product-page.ts) and says its status; undefined: the page as built.
 */
export async function serveStorefront(
  app: FastifyInstance,
  dir: string,
  fallback: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  head?: (request: FastifyRequest) => Promise<HeadAnswer | undefined>,
): Promise<void> {
  const root = resolve(dir)
  await app.register(fastifyStatic, {
    root,
    serve: false,
    cacheControl: false,
    // The build's `.br` and `.gz` copies (apps/storefront/vite.config.ts), sent as they are to a
    // client that accepts them; a file without one is compressed as before (compression.ts).
    preCompressed: true,
    setHeaders(reply, path) {
      const hashed = relative(root, path).startsWith(`assets${sep}`)
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
    },
  })

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('content-security-policy', pageContentSecurityPolicy)
    const answer = await head?.(request)
    if (!answer) return reply.sendFile('index.html')
    // Read each time, as the file is served: a new build is picked up at once.
    const html = await readFile(join(root, 'index.html'), 'utf8')
    return reply
      .code(answer.status)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(withHead(html, answer.head))
  }

  app.get('/', { schema: { hide: true } as FastifySchema }, async (request, reply) =>
    acceptsHtml(request) ? page(request, reply) : fallback(request, reply),
  )
  app.get('/*', { schema: { hide: true } as FastifySchema }, async (request, reply) => {
    const path = decodePath(request.url)
    const file = path === undefined ? undefined : fileIn(root, path)
    if (file) {
      return reply.header('content-security-policy', pageContentSecurityPolicy).sendFile(file)
    }
    if (path !== undefined && isPagePath(path) && acceptsHtml(request)) return page(request, reply)
    const shown = (request.url.split('?')[0] ?? '').slice(0, 200)
    throw new AppError('not_found', 'HTTP.NOT_FOUND', `No route ${request.method} ${shown}.`)
  })
}

function decodePath(url: string): string | undefined {
  try {
    return decodeURIComponent(url.split('?')[0] ?? '/')
  } catch {
    return undefined
  }
}

/** The file under `root` that `path` names (relative to root), if there is one. */
function fileIn(root: string, path: string): string | undefined {
  if (path.includes('\0')) return undefined
  const full = resolve(root, `.${path}`)
  if (!full.startsWith(root + sep)) return undefined
  try {
    return statSync(full).isFile() ? relative(root, full) : undefined
  } catch {
    return undefined
  }
}
