import type { CallResult } from '@emporium/sdk'
import { shop } from './client'

// Issue 19's routes (staff, audit, reports) through the shop's client (its token and refresh,
// its resend of shed requests, its problems) until the SDK's generated types carry them: the
// shapes the pages read are written beside each call from docs/API.md.

interface Init {
  body?: unknown
  params?: { path?: Record<string, string>; query?: Record<string, string | number | undefined> }
  signal?: AbortSignal
  parseAs?: 'json' | 'text' | 'blob'
}

/** The shop's client without the generated paths' types (for issue 19's routes only). */
interface LooseClient {
  GET(path: string, init?: Init): Promise<CallResult<unknown>>
  POST(path: string, init?: Init): Promise<CallResult<unknown>>
  PUT(path: string, init?: Init): Promise<CallResult<unknown>>
}

export const loose = shop as unknown as LooseClient

/** Only the query values that are set: an empty filter is no filter. */
export function queryOf(
  values: Record<string, string | number | undefined>,
): Record<string, string | number> {
  const query: Record<string, string | number> = {}
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') query[key] = value
  }
  return query
}
