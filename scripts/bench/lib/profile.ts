// Reading `node --cpu-prof` output: the functions with the most self time, which is what the
// performance notes quote ("what bounds it").
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { scratchDir } from './processes.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface HotFunction {
  name: string
  /** Share of all samples, 0..1. */
  self: number
}

/**
 * The `top` functions by self time in the main thread's profile in `dir`: the largest
 * `.cpuprofile` (tsx's module loader thread writes a small one of its own).
 */
export function topSelfTime(
  dir: string,
  top = 15,
  /** Leave out the first seconds of the profile (start-up: module loading, migrations). */
  skipSeconds = 0,
): HotFunction[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  if (files.length === 0) return []
  const largest = files
    .map((f) => ({ f, size: statSync(join(dir, f)).size }))
    .sort((a, b) => b.size - a.size)[0]!.f
  const profile = JSON.parse(readFileSync(join(dir, largest), 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const time = new Map<string, number>()
  let total = 0
  let at = 0
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (!node || at < skipSeconds * 1e6) return
    const frame = node.callFrame
    if (frame.functionName === '(idle)') return
    total += delta
    const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '')
    const where = file ? ` ${file.replace(process.cwd() + '/', '')}:${frame.lineNumber + 1}` : ''
    const key = `${frame.functionName || '(anonymous)'}${where}`
    time.set(key, (time.get(key) ?? 0) + delta)
  })
  return [...time]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, t]) => ({ name, self: t / total }))
}

/**
 * Where a benchmark's `--profile` writes its CPU profiles: EMPORIUM_BENCH_PROFILES keeps them
 * there (for DevTools or a closer look), else a scratch folder removed at the end.
 */
export function profilesDir(): string {
  const kept = process.env.EMPORIUM_BENCH_PROFILES
  if (!kept) return scratchDir('profiles')
  mkdirSync(kept, { recursive: true })
  return mkdtempSync(join(kept, 'run-'))
}

/** Node options that write a CPU profile of `name` under `root` (none when not profiling). */
export function profilingArgs(root: string | undefined, name: string): string[] {
  return root ? ['--cpu-prof', `--cpu-prof-dir=${join(root, name)}`] : []
}

/** One line for the notes: the hottest functions of `name`'s profile. */
export function hotSummary(root: string, name: string, top = 10, skipSeconds = 0): string {
  if (!existsSync(join(root, name))) return `${name}: no profile written (killed before exit?)`
  const hot = topSelfTime(join(root, name), top, skipSeconds)
  return (
    `${name} self time (--cpu-prof${skipSeconds ? `, after its first ${skipSeconds} s` : ''}): ` +
    hot.map((h) => `${(h.self * 100).toFixed(1)}% ${h.name}`).join('; ')
  )
}
