import { clearingOnWrite as clearing, createKeptReads } from '@emporium/platform/app'
import type { MethodStore, QuoteSource, ZoneStore } from './ports.js'

/**
 * Zones and active methods as quotes read them, kept for `ttlMs` (issue 14: every quote read
 * them with two statements, two transactions of the database's). This replica's own changes to
 * zones and methods empty it once they committed, so they are quoted at once here; another
 * replica's are quoted within `ttlMs`. A read that a change overtook is not kept.
 */
export function createQuoteCache(deps: { source: QuoteSource; ttlMs: number; now: () => number }) {
  const kept = createKeptReads({
    read: () => deps.source.zonesAndActiveMethods(),
    ttlMs: deps.ttlMs,
    now: deps.now,
  })
  return {
    zonesAndActiveMethods: () => kept.get('all'),
    /** Forgets what is kept: a change committed. */
    clear: () => kept.clear(),
  }
}

/** `store` whose writes empty `cache` once they have committed (or failed: nothing is lost). */
export function clearingOnWrite<S extends ZoneStore | MethodStore>(
  store: S,
  cache: { clear(): void },
): S {
  return clearing(store, ['create', 'update', 'delete'] as Array<keyof S>, cache)
}
