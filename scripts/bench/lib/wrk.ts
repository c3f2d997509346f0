// Fixed-concurrency throughput with wrk (Debian package `wrk`): a closed loop of `connections`
// keep-alive connections, each sending its next request when the answer came. Paths rotate
// through a list; a Lua `done` hook reports the figures as JSON.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run, scratchDir } from './processes.js'

export interface WrkOptions {
  /** Paths (with query) to request in turn. */
  paths: string[]
  headers?: Record<string, string>
  /** GET unless set (POST with `bodies`, e.g. a GraphQL query). */
  method?: string
  /** Request bodies, in turn with the paths (request i: path i mod n, body i mod m). */
  bodies?: string[]
  connections?: number
  threads?: number
  seconds: number
  /** A run of this length first, not measured (JIT, caches, connection pools). */
  warmupSeconds?: number
}

export interface WrkResult {
  requests: number
  rps: number
  /** Latency percentiles, ms. */
  p50: number
  p90: number
  p99: number
  max: number
  /** Answers other than 2xx/3xx plus socket errors: a row with errors is not a fair figure. */
  errors: number
}

let dir: string | undefined

const lua = (value: string) => JSON.stringify(value) // a JSON string is a valid Lua string here

function script(options: WrkOptions): string {
  const { paths, headers = {}, method = 'GET', bodies = [] } = options
  if (!dir || !existsSync(dir)) dir = scratchDir('wrk') // again after a cleanup removed it
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.lua`)
  const headerLines = Object.entries(headers)
    .map(([name, value]) => `  [${lua(name)}] = ${lua(value)},`)
    .join('\n')
  writeFileSync(
    file,
    `local paths = {\n${paths.map((p) => `  ${lua(p)},`).join('\n')}\n}
local headers = {\n${headerLines}\n}
local bodies = {\n${bodies.map((b) => `  ${lua(b)},`).join('\n')}\n}
local count = #paths
local bodyCount = #bodies
local i = 0
request = function()
  i = i + 1
  local body = nil
  if bodyCount > 0 then body = bodies[(i % bodyCount) + 1] end
  return wrk.format(${lua(method)}, paths[(i % count) + 1], headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`,
  )
  return file
}

const roundRps = (rps: number) => (rps < 100 ? Math.round(rps * 10) / 10 : Math.round(rps))

export async function wrk(origin: string, options: WrkOptions): Promise<WrkResult> {
  const file = script(options)
  const args = (seconds: number) => [
    `-t${options.threads ?? 1}`,
    `-c${options.connections ?? 50}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '-s',
    file,
    origin,
  ]
  if (options.warmupSeconds) await run('wrk', args(options.warmupSeconds))
  const output = await run('wrk', args(options.seconds), {
    timeoutMs: (options.seconds + 30) * 1000,
  })
  const line = output.split('\n').find((l) => l.startsWith('WRK_JSON '))
  if (!line) throw new Error(`wrk printed no summary:\n${output}`)
  const raw = JSON.parse(line.slice('WRK_JSON '.length)) as {
    requests: number
    duration_us: number
    errors: number
    p50: number
    p90: number
    p99: number
    max: number
  }
  const ms = (us: number) => Math.round(us / 10) / 100
  return {
    requests: raw.requests,
    // Whole requests per second, but a tenth below 100 (a slow peer's row).
    rps: roundRps(raw.requests / (raw.duration_us / 1e6)),
    p50: ms(raw.p50),
    p90: ms(raw.p90),
    p99: ms(raw.p99),
    max: ms(raw.max),
    errors: raw.errors,
  }
}

/** Whether wrk is installed (the suite installs it with apt when missing). */
export async function hasWrk(): Promise<boolean> {
  return run('wrk', ['--version']).then(
    () => true,
    (error: Error) => /wrk \d/.test(error.message),
  )
}
