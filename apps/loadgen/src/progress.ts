import type { Percentiles } from './types.js'

export interface ProgressSnapshot {
  elapsedSeconds: number
  durationSeconds: number
  /** The target arrival rate now (after the ramp: the full rate). */
  targetRate: number
  started: number
  inFlight: number
  requests: number
  errors: number
  throttled: number
  dropped: number
  placed: number
  ended: number
  latency: Percentiles
  draining: boolean
}

const round = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 10) / 10)

/** One line of progress, e.g. for stderr. */
export function progressLine(s: ProgressSnapshot): string {
  const clock = s.draining
    ? `draining ${Math.round(s.elapsedSeconds - s.durationSeconds)}s`
    : `${Math.floor(s.elapsedSeconds)}s/${s.durationSeconds}s`
  const rps = s.elapsedSeconds > 0 ? round(s.requests / s.elapsedSeconds) : 0
  return (
    `[${clock}] target ${round(s.targetRate)}/s, started ${s.started}, in flight ${s.inFlight}` +
    ` | requests ${s.requests} (${rps}/s), errors ${s.errors}, throttled ${s.throttled}, ` +
    `dropped ${s.dropped} | orders ${s.placed} placed, ${s.ended} ended` +
    ` | p50 ${round(s.latency.p50)} ms, p99 ${round(s.latency.p99)} ms`
  )
}
