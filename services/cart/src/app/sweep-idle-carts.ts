import type { CartStore } from './ports.js'

/** Deletes carts idle longer than the TTL (the SQL store's expiry; Redis expires by itself). */
export function createSweepIdleCarts(deps: {
  store: CartStore
  idleTtlMs: number
  now: () => Date
}) {
  return async function sweepIdleCarts(): Promise<number> {
    return deps.store.sweepIdle(new Date(deps.now().getTime() - deps.idleTtlMs))
  }
}
