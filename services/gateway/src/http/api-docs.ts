import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { encodedFiles } from './encoded-files.js'

/** The folder of Swagger UI's files in `@fastify/swagger-ui`, which its plugin serves. */
const swaggerUiFiles = join(
  dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')),
  'static',
)

/**
 * The `<style>` elements Swagger UI's scripts render, by hash: one, in the standalone preset's
 * topbar logo (`.logo_small_svg__cls-2{fill:#fff}…`), shown until the initializer swaps in ours.
 * api-docs.int.test.ts fails when the package's scripts render another.
 */
export const swaggerUiInlineStyleHashes = ["'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"]

/**
 * The reference's policy: its scripts, styles and the document from this origin only (try-it-out
 * calls go to the same origin too: the document's one server is `/`), its logo a `data:` image.
 * Swagger UI's page has no inline script (the initializer is a file) and one inline style, allowed
 * by its hash: nothing is `'unsafe-inline'`.
 */
export const apiDocsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${swaggerUiInlineStyleHashes.join(' ')}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

// Our own logo: the plugin's default is Fastify's, read from a file beside its code.
const logo = `<svg xmlns="http://www.w3.org/2000/svg" width="180" height="40" viewBox="0 0 180 40">
<text x="0" y="28" font-family="sans-serif" font-size="24" font-weight="700" fill="#fff">Emporium API</text>
</svg>`

export interface ApiDocsOptions {
  /** Where the reference is served (its assets under `<prefix>/static/`). */
  prefix: string
  /** The OpenAPI document it shows, as the browser fetches it. */
  documentUrl: string
}

/**
 * The interactive API reference (Swagger UI with try-it-out) at `prefix`, from
 * `@fastify/swagger-ui`, which ships Swagger UI's files in its package and serves them with
 * `@fastify/static` (ETag and Last-Modified, so a browser revalidates with a 304): nothing comes
 * from a CDN. To a client that accepts brotli or gzip the gateway sends those files encoded once,
 * from memory (encoded-files.ts). The plugin points the UI at its own `<prefix>/json`, which
 * serves the document `@fastify/swagger` builds of this server's routes — the gateway's own,
 * with every route hidden. The public document is merged from the services' documents
 * (public-document.ts), so the UI is given it through `urls` instead (which Swagger UI loads in
 * place of `url`), and `<prefix>/json` and `<prefix>/yaml` redirect to it (JSON is YAML too).
 * Registered inside the gateway's routes, the reference passes the same edge (limits included),
 * compression and security headers as every route there, its own policy replacing helmet's; its
 * routes are hidden from every OpenAPI document. (Not swagger-ui-dist with our own page: the
 * plugin works with a merged document as it is, and keeps the page, initializer and files of one
 * Swagger UI release together.)
 */
export function apiDocs(options: ApiDocsOptions): FastifyPluginAsync {
  const documentRoutes = new Set([`${options.prefix}/json`, `${options.prefix}/yaml`])
  return async (app) => {
    // Its files, brotli or gzip, encoded once (encoded-files.ts): not for every request.
    app.addHook(
      'onRequest',
      encodedFiles({ dir: swaggerUiFiles, prefix: `${options.prefix}/static/` }),
    )
    await app.register(swaggerUi, {
      routePrefix: options.prefix,
      staticCSP: apiDocsContentSecurityPolicy,
      theme: { title: 'Emporium API reference' },
      logo: { type: 'image/svg+xml', content: logo, href: '/' },
      uiConfig: {
        urls: [{ url: options.documentUrl, name: 'Emporium public API v1' }],
        displayRequestDuration: true,
        filter: true,
      },
      uiHooks: {
        onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
          if (documentRoutes.has(request.routeOptions.url ?? '')) {
            return reply.redirect(options.documentUrl)
          }
        },
      },
    })
  }
}
