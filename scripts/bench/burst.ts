// Benchmark: issue 14's burst. 300 buyers, one item each in their cart, place at the same
// instant for 50 units through the gateway of the distributed mode (every service its own
// process, PostgreSQL, MariaDB, Redis, RabbitMQ) with the default admission settings. Every
// answer is timed; shed buyers (429/503 with retry-after) retry after it with the same key.
// The same driver as the end-to-end test (tests/e2e/burst-driver.ts).
import { join } from 'node:path'
import {
  countByStatus,
  prepareBurst,
  runBurst,
  type BurstOptions,
} from '../../tests/e2e/burst-driver.js'
import { ShopClient } from '../../tests/e2e/shop-client.js'
import { startDistributed } from './lib/platform.js'
import { scratchDir } from './lib/processes.js'
import { percentile, type Section } from './lib/report.js'

const answerWithinMs = 3_000

export async function burstBenchmark(
  options: BurstOptions = { buyers: 300, units: 50 },
): Promise<Section> {
  const mailbox = join(scratchDir('burst'), 'mailbox.jsonl')
  const platform = await startDistributed(
    ['users', 'catalog', 'cart', 'orders', 'payments', 'notifications', 'gateway'],
    {
      LOG_LEVEL: 'warn',
      CATALOG_SEED_DEMO: 'true',
      ADMIN_EMAILS: 'admin@bench.example',
      NOTIFICATIONS_SENDER: `file:${mailbox}`,
      // 300 buyers share one address: the per-address limits are not what is measured.
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '1000000',
      GATEWAY_LOGIN_LIMIT_PER_CLIENT: '1000000',
    },
  )
  try {
    const client = new ShopClient(`${platform.gateway!}/api/v1`)
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
      name: 'burst',
      title: `Burst: ${options.buyers} buyers at once for ${options.units} units (distributed)`,
      method:
        `${options.buyers} registered buyers with one unit each in their cart POST /api/v1/orders ` +
        'through the gateway at the same instant; a 429/503 is retried after its retry-after ' +
        '(plus up to 1 s of jitter) with the same Idempotency-Key until 202/409; then every ' +
        'order is followed to its final status.',
      tables: [
        {
          title: 'Answers by status',
          columns: ['status', 'first tries', 'all tries'],
          rows: statuses.map((s) => [s, first[s] ?? 0, byStatus[s] ?? 0]),
        },
        {
          title: 'Answer times and outcomes',
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
          name: 'answered within 3 s',
          value: within,
          unit: '×',
          target: { op: '>=', value: 1 },
        },
        {
          name: 'max answer time',
          value: (times.at(-1) ?? NaN) / 1000,
          unit: 's',
          target: { op: '<=', value: answerWithinMs / 1000 },
        },
        { name: 'answers 500/504', value: failures, unit: '', target: { op: '<=', value: 0 } },
        {
          name: 'confirmed orders',
          value: result.outcomes.confirmed ?? 0,
          unit: '',
          target: { op: '>=', value: options.units },
          note: `exactly ${options.units}: ${
            (result.outcomes.confirmed ?? 0) === options.units ? 'yes' : 'NO'
          }`,
        },
        {
          name: 'orders left unfinished',
          value: result.outcomes.unfinished ?? 0,
          unit: '',
          target: { op: '<=', value: 0 },
        },
      ],
      notes: [],
    }
  } finally {
    await platform.stop()
  }
}
