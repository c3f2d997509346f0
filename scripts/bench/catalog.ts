// `npm run bench:catalog -- [--mode embedded|distributed|both] [--seconds 10] [--concurrency 16]`
// Starts the platform in the chosen mode(s) on spare ports, then measures product listing and
// search through the gateway: requests per second and latency percentiles, printed as a table.
// A benchmark, not a test: figures depend on the machine; compare rows of one run.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'embedded' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
  },
})
const seconds = Number(values.seconds)
const concurrency = Number(values.concurrency)
const modes = values.mode === 'both' ? ['embedded', 'distributed'] : [values.mode!]

interface Row {
  mode: string
  scenario: string
  requests: number
  errors: number
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
}

async function start(mode: string, port: number): Promise<{ stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-bench-'))
  // One client address sends every request: lift the per-client limit, or it measures 429s.
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    LOG_LEVEL: 'error',
    GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
  }
  let child: ChildProcess
  if (mode === 'embedded') {
    child = spawn(process.execPath, ['--import', 'tsx', 'apps/all-in-one/src/main.ts'], {
      env: { ...env, PORT: String(port), EMBEDDED_PORT_BASE: String(port + 1), DATA_DIR: dataDir },
      stdio: 'ignore',
    })
  } else {
    // The distributed mode as `.env.example` describes it (servers from `npm run infra:up`).
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-distributed.ts'], {
      env: { ...env, PORT: String(port), REDIS_URL: 'memory' },
      stdio: 'ignore',
    })
  }
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/products?limit=1`)
      if (response.ok) break
    } catch {
      // starting
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGTERM')
      throw new Error(`${mode} did not start`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    async stop() {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function measure(
  mode: string,
  scenario: string,
  origin: string,
  paths: () => string,
): Promise<Row> {
  const pool = new Pool(origin, { connections: concurrency })
  const latencies: number[] = []
  let errors = 0
  const statuses = new Map<number, number>()
  const until = Date.now() + seconds * 1000
  const worker = async () => {
    while (Date.now() < until) {
      const started = performance.now()
      try {
        const { statusCode, body } = await pool.request({ method: 'GET', path: paths() })
        await body.dump()
        if (statusCode !== 200) {
          errors++
          statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1)
        }
      } catch {
        errors++
      }
      latencies.push(performance.now() - started)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await pool.close()
  if (statuses.size > 0)
    console.error(`${mode} ${scenario}: non-200 answers`, Object.fromEntries(statuses))
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    Number(
      (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1),
    )
  return {
    mode,
    scenario,
    requests: latencies.length,
    errors,
    rps: Math.round(latencies.length / seconds),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: at(1),
  }
}

const words = [
  'lamp',
  'coffee',
  'oak',
  'handmade',
  'shirt',
  'wireless',
  'garden',
  'steel',
  'cotton',
  'desk',
]
const rows: Row[] = []
for (const [i, mode] of modes.entries()) {
  const port = 18200 + i * 20
  const platform = await start(mode, port)
  const origin = `http://127.0.0.1:${port}`
  try {
    await measure(mode, 'warm-up', origin, () => '/api/v1/products?limit=20')
    let page = 0
    rows.push(await measure(mode, 'list 20 newest', origin, () => '/api/v1/products?limit=20'))
    rows.push(
      await measure(
        mode,
        'list 20 by price',
        origin,
        () => `/api/v1/products?limit=20&sort=price_asc&minPrice=${(page++ % 50) * 100}`,
      ),
    )
    let w = 0
    rows.push(
      await measure(
        mode,
        'search 20',
        origin,
        () => `/api/v1/products?limit=20&q=${words[w++ % words.length]}`,
      ),
    )
  } finally {
    await platform.stop()
  }
}
console.log(
  `\nCatalog through the gateway: ${seconds} s per row, ${concurrency} concurrent clients; latency in ms`,
)
console.table(rows)
