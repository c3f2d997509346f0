// Benchmark: issue 14's burst. 300 buyers, one item each in their cart, place at the same
// instant for 50 units through the gateway, with the default admission settings: of the
// distributed mode (every service its own process, PostgreSQL, MariaDB, Redis, RabbitMQ), then
// of the embedded one (`npm start`: one process, PGlite, the gateway on a thread of its own).
// Every answer is timed; shed buyers (429/503 with retry-after) retry after it with the same key.
// The same driver as the end-to-end tests (tests/e2e/burst-driver.ts).
import { join } from 'node:path'
import {
  countByStatus,
  prepareBurst,
  runBurst,
  type BurstOptions,
} from '../../tests/e2e/burst-driver.js'
import { ShopClient } from '../../tests/e2e/shop-client.js'
import { everyService, startDistributed, startEmbedded } from './lib/platform.js'
import { scratchDir } from './lib/processes.js'
import { percentile, type Ratio, type Section, type Table } from './lib/report.js'

const answerWithinMs = 3_000

type Mode = 'distributed' | 'embedded'

/** Per-address limits lifted: 300 buyers share one address, and they are not what is measured. */
const liftedLimits = {
  GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000000',
  GATEWAY_REGISTER_LIMIT_PER_CLIENT: '1000000',
  GATEWAY_LOGIN_LIMIT_PER_CLIENT: '1000000',
}

export async function burstBenchmark(
  options: BurstOptions = { buyers: 300, units: 50 },
  modes: Mode[] = ['distributed', 'embedded'],
): Promise<Section> {
  const tables: Table[] = []
  const ratios: Ratio[] = []
  for (const mode of modes) {
    console.error(`  burst, ${mode}`)
    const measured = await measure(mode, options)
    tables.push(...measured.tables)
    ratios.push(...measured.ratios)
  }
  return {
    name: 'burst',
    title: `Burst: ${options.buyers} buyers at once for ${options.units} units (${modes.join(', ')})`,
    method:
      `${options.buyers} registered buyers with one unit each in their cart POST /api/v1/orders ` +
      'through the gateway at the same instant; a 429/503 is retried after its retry-after ' +
      '(plus up to 1 s of jitter) with the same Idempotency-Key until 202/409; then every ' +
      'order is followed to its final status. Default admission settings in each mode.',
    tables,
    ratios,
    notes: [],
  }
}

async function start(
  mode: Mode,
  mailbox: string,
): Promise<{ gateway: string; stop(): Promise<void> }> {
  const env = {
    LOG_LEVEL: 'warn',
    CATALOG_SEED_DEMO: 'true',
    ADMIN_EMAILS: 'admin@bench.example',
    NOTIFICATIONS_SENDER: `file:${mailbox}`,
    ...liftedLimits,
  }
  if (mode === 'embedded') return startEmbedded({ env })
  const platform = await startDistributed(everyService, env)
  return { gateway: platform.gateway!, stop: () => platform.stop() }
}

async function measure(
  mode: Mode,
  options: BurstOptions,
): Promise<{ tables: Table[]; ratios: Ratio[] }> {
  const mailbox = join(scratchDir('burst'), 'mailbox.jsonl')
  const platform = await start(mode, mailbox)
  try {
    const client = new ShopClient(`${platform.gateway}/api/v1`)
    const admin = await client.registerAdmin('admin@bench.example', mailbox)
    const prepared = await prepareBurst(client, admin.token, options)
    console.error(`  ${options.buyers} buyers ready, ${options.units} units in stock`)
    const result = await runBurst(client, admin.token, prepared, options)
    const times = result.answers.map((a) => a.ms).sort((a, b) => a - b)
    const within = times.filter((ms) => ms <= answerWithinMs).length / times.length
    const byStatus = countByStatus(result.answers)
    const first = countByStatus(result.first)
    const failures = (byStatus['500'] ?? 0) + (byStatus['504'] ?? 0)
    const statuses = [...new Set([...Object.keys(first), ...Object.keys(byStatus)])].sort()
    return {
      tables: [
        {
          title: `Answers by status (${mode})`,
          columns: ['status', 'first tries', 'all tries'],
          rows: statuses.map((s) => [s, first[s] ?? 0, byStatus[s] ?? 0]),
        },
        {
          title: `Answer times and outcomes (${mode})`,
          columns: ['figure', 'value'],
          rows: [
            ['answers', times.length],
            ['retries after retry-after', result.retries],
            ['answer p50, ms', percentile(times, 0.5)],
            ['answer p99, ms', percentile(times, 0.99)],
            ['answer max, ms', times.at(-1) ?? NaN],
            ['placing took, s', result.placingSeconds],
            ['every order final after, s', result.settledSeconds],
            ...Object.entries(result.outcomes).map(
              ([k, v]) => [`orders ${k}`, v] as [string, number],
            ),
            ['buyers never placed', result.unplaced],
          ],
        },
      ],
      ratios: [
        {
          name: `${mode}: answered within 3 s`,
          value: within,
          unit: '×',
          target: { op: '>=', value: 1 },
        },
        {
          name: `${mode}: max answer time`,
          value: (times.at(-1) ?? NaN) / 1000,
          unit: 's',
          target: { op: '<=', value: answerWithinMs / 1000 },
        },
        {
          name: `${mode}: answers 500/504`,
          value: failures,
          unit: '',
          target: { op: '<=', value: 0 },
        },
        {
          name: `${mode}: confirmed orders`,
          value: result.outcomes.confirmed ?? 0,
          unit: '',
          target: { op: '>=', value: options.units },
          note: `exactly ${options.units}: ${
            (result.outcomes.confirmed ?? 0) === options.units ? 'yes' : 'NO'
          }`,
        },
        {
          name: `${mode}: orders left unfinished`,
          value: result.outcomes.unfinished ?? 0,
          unit: '',
          target: { op: '<=', value: 0 },
        },
      ],
    }
  } finally {
    await platform.stop()
  }
}
