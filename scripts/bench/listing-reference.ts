// Listing cost against a reference checkout (issue 17: "listing with variants costs no more than
// 1.5× today's per request"). Runs the catalog store's listings, one request after another on one
// connection, in this checkout and in a reference checkout (an earlier commit with its own
// `npm ci`), alternately, each over the demo catalog (~1,000 products) and the bench's large one
// (copied to ~100,000), and prints the time per request and the ratios.
//
//   git worktree add ../ref <commit> && (cd ../ref && npm ci)
//   npx tsx scripts/bench/listing-reference.ts --reference ../ref [--rounds 2] [--requests 2000]
//
// Each measurement runs in a child process started from the checkout it measures, so that
// both use their own code and dependencies; the machine's load moves both alike, which is why
// they alternate. Wall time includes PostgreSQL's; "node CPU" is the process's own.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'

interface Figure {
  scenario: string
  wallUs: number
  cpuUs: number
}

const cases: Array<[string, Record<string, unknown>]> = [
  ['list 20 newest', { sort: 'newest', limit: 20 }],
  ['list 20 by price from 12.00', { sort: 'price_asc', limit: 20, minPrice: 1200 }],
]

async function measure(repo: string, requests: number): Promise<Figure[]> {
  const imp = (p: string) => import(pathToFileURL(`${repo}/${p}`).href)
  const platform = await imp('packages/platform/src/index.ts')
  const testing = await imp('packages/platform/src/testing/index.ts')
  const { createKyselyStore } = await imp('services/catalog/src/infra/kysely-store.ts')
  const { generateDemoCatalog } = await imp('services/catalog/src/domain/demo-catalog.ts')
  const pg = (await import(pathToFileURL(`${repo}/node_modules/pg/lib/index.js`).href)).default
  const test = await testing.createTestDatabase('postgres')
  const figures: Figure[] = []
  try {
    await platform.migrate(test.database, {
      migrations: pathToFileURL(`${repo}/services/catalog/migrations/`),
    })
    const outbox = platform.createOutbox({ source: 'catalog' })
    await createKyselyStore({ database: test.database, outbox }).seedIfEmpty(
      generateDemoCatalog(),
      new Date(),
    )
    const single = await platform.openDatabase(test.url, { poolSize: 1 })
    const store = createKyselyStore({ database: single, outbox })
    const run = async (size: string) => {
      for (const [name, criteria] of cases) {
        for (let i = 0; i < 200; i++) await store.listProducts(criteria, null)
        const cpu = process.cpuUsage()
        const started = performance.now()
        for (let i = 0; i < requests; i++) await store.listProducts(criteria, null)
        const wall = performance.now() - started
        const used = process.cpuUsage(cpu)
        figures.push({
          scenario: `${size}: ${name}`,
          wallUs: (wall * 1000) / requests,
          cpuUs: (used.user + used.system) / requests,
        })
      }
    }
    await run('1k')
    // The large catalog as that checkout's own benchmark copies it.
    const bench = readFileSync(`${repo}/scripts/bench/catalog.ts`, 'utf8')
    const source = bench
      .slice(
        bench.indexOf('function copyProductsSql'),
        bench.indexOf('async function growPostgres'),
      )
      .replace(/\(copies: number\): string/, '(copies)')
      .replace(/\(id: string\)/g, '(id)')
    const copyProductsSql = new Function(`return (${source})`)() as (copies: number) => string
    const client = new pg.Client(test.url)
    await client.connect()
    const seeded = Number((await client.query('select count(*) as n from products')).rows[0].n)
    await client.query(copyProductsSql(Math.ceil(100_000 / seeded) - 1))
    await client.query('analyze')
    await client.end()
    await run('100k')
    await single.close()
  } finally {
    await test.drop()
  }
  return figures
}

const { values } = parseArgs({
  options: {
    reference: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    requests: { type: 'string', default: '2000' },
    child: { type: 'string' },
  },
})
const requests = Number(values.requests)
if (values.child) {
  process.stdout.write(JSON.stringify(await measure(resolve(values.child), requests)))
  process.exit(0)
}
if (!values.reference) {
  console.error('usage: npx tsx scripts/bench/listing-reference.ts --reference <checkout>')
  process.exit(2)
}
const checkouts = { reference: resolve(values.reference), this: resolve('.') }
const runs: Record<'reference' | 'this', Figure[][]> = { reference: [], this: [] }
for (let round = 0; round < Number(values.rounds); round++) {
  for (const which of ['reference', 'this'] as const) {
    const output = execFileSync(
      'npx',
      [
        'tsx',
        resolve(import.meta.dirname, 'listing-reference.ts'),
        '--child',
        checkouts[which],
        '--requests',
        String(requests),
      ],
      { cwd: checkouts[which], encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    )
    runs[which].push(JSON.parse(output) as Figure[])
    console.error(`  round ${round + 1}: ${which} measured`)
  }
}
const best = (which: 'reference' | 'this', scenario: string, key: 'wallUs' | 'cpuUs') =>
  Math.min(...runs[which].map((figures) => figures.find((f) => f.scenario === scenario)![key]))
console.log('| scenario | reference µs (CPU) | this µs (CPU) | ratio wall | ratio CPU | target |')
console.log('|---|---|---|---|---|---|')
for (const { scenario } of runs.this[0]!) {
  const [rw, rc, tw, tc] = [
    best('reference', scenario, 'wallUs'),
    best('reference', scenario, 'cpuUs'),
    best('this', scenario, 'wallUs'),
    best('this', scenario, 'cpuUs'),
  ]
  console.log(
    `| ${scenario} | ${rw.toFixed(0)} (${rc.toFixed(0)}) | ${tw.toFixed(0)} (${tc.toFixed(0)}) | ` +
      `${(tw / rw).toFixed(2)}× | ${(tc / rc).toFixed(2)}× | <= 1.50× |`,
  )
}
