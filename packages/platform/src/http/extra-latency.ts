import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { operationalRoutes } from './health.js'

/** A delay added to every request, as a slow service or a slow network would. */
export interface ExtraLatency {
  ms: number
  jitterMs?: number
  /**
   * A JSON file `{"ms": 300, "jitterMs": 200}` read every `pollMs` (default 1 s) while the
   * server runs: while it exists it replaces `ms` and `jitterMs`, so the delay can be switched
   * on and off without a restart. A missing or unreadable file means no delay from it.
   */
  file?: string
  pollMs?: number
  /** Source of the jitter (tests fix it); Math.random by default. */
  random?: () => number
}

interface Delay {
  ms: number
  jitterMs: number
}

async function readDelay(file: string): Promise<Delay | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<Delay>
    const ms = Math.max(0, Number(value.ms) || 0)
    const jitterMs = Math.max(0, Number(value.jitterMs) || 0)
    return { ms, jitterMs }
  } catch {
    return undefined
  }
}

/**
 * Holds each request for the configured time before routing it on. Probes and scrapes are not
 * held: the chaos runner slows a service's answers, not its liveness (a probe timing out would
 * restart it, which is a different fault).
 */
export function installExtraLatency(app: FastifyInstance, latency: ExtraLatency): void {
  const fixed: Delay = { ms: latency.ms, jitterMs: latency.jitterMs ?? 0 }
  if (fixed.ms <= 0 && fixed.jitterMs <= 0 && !latency.file) return
  const random = latency.random ?? Math.random
  let current = fixed
  if (latency.file) {
    const file = latency.file
    const refresh = async () => {
      current = (await readDelay(file)) ?? fixed
    }
    const timer = setInterval(() => void refresh(), latency.pollMs ?? 1_000)
    timer.unref()
    app.addHook('onReady', refresh)
    app.addHook('onClose', async () => clearInterval(timer))
  }
  app.addHook('onRequest', async (request) => {
    const { ms, jitterMs } = current
    if (ms <= 0 && jitterMs <= 0) return
    if (operationalRoutes.has(request.routeOptions.url ?? '')) return
    await sleep(ms + Math.floor(random() * jitterMs))
  })
}
