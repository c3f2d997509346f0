import type { Logger } from '@emporium/platform'
import { request, type Dispatcher } from 'undici'
import type { OpenApiSource, ServiceDocument } from '../app/ports.js'
import type { UpstreamName } from '../domain/route-table.js'

interface Cached {
  at: number
  ttlMs: number
  document?: Record<string, unknown>
}

// A service that did not answer is asked again sooner than a document is refreshed.
const missingTtlMs = 10_000

/**
 * The services' own OpenAPI documents (`GET /openapi.json` on an instance), fetched on demand
 * and cached; a service that does not answer (or serves none yet) is left out of the merge.
 */
export function createOpenApiSource(options: {
  urls: Record<UpstreamName, string[]>
  dispatcher: Dispatcher
  cacheMs: number
  timeoutMs?: number
  log: Logger
}): OpenApiSource {
  // Generous: a service builds its document on the first request for it, and in the embedded
  // platform every service builds its own at once on one thread; on a busy machine that took
  // more than 2 s, and the services not heard in time were left out of the reference the
  // first reader got (the browser test's flake of 2026-12-05). Nobody waits on this path but
  // a reader of the docs.
  const timeoutMs = options.timeoutMs ?? 15_000
  const cache = new Map<UpstreamName, Cached>()
  let pending: Promise<void> | undefined

  async function fetchDocument(bases: string[]): Promise<Record<string, unknown> | undefined> {
    for (const base of bases) {
      try {
        const response = await request(`${base}/openapi.json`, {
          dispatcher: options.dispatcher,
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        })
        if (response.statusCode !== 200) {
          await response.body.dump()
          continue
        }
        const document = (await response.body.json()) as Record<string, unknown>
        const version = document?.openapi
        if (typeof version === 'string' && version.startsWith('3.') && isObject(document.paths)) {
          return document
        }
      } catch (error) {
        options.log.debug({ base, err: error }, 'no OpenAPI document from upstream')
      }
    }
    return undefined
  }

  async function refresh(names: UpstreamName[]) {
    await Promise.all(
      names.map(async (name) => {
        const document = await fetchDocument(options.urls[name])
        const ttlMs = document ? options.cacheMs : Math.min(options.cacheMs, missingTtlMs)
        cache.set(name, { at: Date.now(), ttlMs, document })
      }),
    )
  }

  const configured = (Object.keys(options.urls) as UpstreamName[]).filter(
    (name) => options.urls[name].length > 0,
  )

  return {
    async documents(): Promise<ServiceDocument[]> {
      const now = Date.now()
      const stale = configured.filter((name) => {
        const entry = cache.get(name)
        return !entry || now - entry.at > entry.ttlMs
      })
      if (stale.length > 0) {
        pending ??= refresh(stale).finally(() => {
          pending = undefined
        })
        await pending
      }
      return configured.flatMap((name) => {
        const document = cache.get(name)?.document
        return document ? [{ upstream: name, document }] : []
      })
    },
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
