// The catalog service alone under load: `npx tsx services/catalog/bench/listing.ts [options]`.
//   --products 1000|100000  size of the catalog (the demo seed, then bulk copies in SQL)
//   --database postgres|pglite  a scratch PostgreSQL database (created, then dropped) or PGlite
//   --seconds 5 --connections 32 --threads 1 --port 19471 --log-level error
//   --only <substring>  run only the scenarios whose name contains it
//   --hold  keep the service (and database) up after the runs until Ctrl-C, to EXPLAIN or profile
// Drives GET /products with every sort, filters, cursor pages and search with wrk (Debian
// package `wrk`) and prints req/s and latency percentiles. A benchmark, not a test.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import Fastify from 'fastify'
import { sql } from 'kysely'
import {
  createInProcessBus,
  createLogger,
  openDatabase,
  startService,
  type Database,
} from '@emporium/platform'
import { createCatalogService, loadCatalogConfig } from '../src/service.js'

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '1000' },
    database: { type: 'string', default: 'postgres' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
    port: { type: 'string', default: '19471' },
    'log-level': { type: 'string', default: 'error' },
    only: { type: 'string' },
    hold: { type: 'boolean', default: false },
  },
})
const products = Number(values.products)
const port = Number(values.port)
const adminUrl =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://emporium:emporium@127.0.0.1:5432/emporium_test'

async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (values.database === 'pglite') {
    const folder = mkdtempSync(join(tmpdir(), 'catalog-bench-'))
    return { url: `pglite:${folder}`, drop: async () => rmSync(folder, { recursive: true }) }
  }
  const name = `catalog_bench_${randomBytes(4).toString('hex')}`
  const admin = await openDatabase(adminUrl, { poolSize: 1 })
  await sql.raw(`create database ${name}`).execute(admin.db)
  await admin.close()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const again = await openDatabase(adminUrl, { poolSize: 1 })
      await sql.raw(`drop database if exists ${name} with (force)`).execute(again.db)
      await again.close()
    },
  }
}

/**
 * Copies the seeded products until there are `total`, each copy with its own id, sku and time,
 * and its variants (the first with the copy's id) and their stock.
 */
async function grow(database: Database, total: number): Promise<void> {
  const db = database.db
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from products`.execute(db)
  const base = rows[0]!.n
  const copies = Math.ceil(total / base) - 1
  for (let copy = 1; copy <= copies; copy++) {
    const room = total - base * copy
    await sql`
      insert into products (id, sku, name, description, price_amount, max_price_amount,
        variant_prices, variant_count, price_currency, category_id, image_url, attributes,
        options, created_at, updated_at)
      select md5(p.id || ${copy}::text)::uuid::text, p.sku || '-' || ${copy}::text, p.name,
        p.description, p.price_amount + (${copy}::int * 37) % 500,
        p.max_price_amount + (${copy}::int * 37) % 500,
        coalesce((select range_agg(int8range(v.price_amount + (${copy}::int * 37) % 500,
          v.price_amount + (${copy}::int * 37) % 500, '[]')) from variants v
          where v.product_id = p.id), '{}'),
        p.variant_count, p.price_currency,
        p.category_id, p.image_url, p.attributes, p.options,
        p.created_at - make_interval(days => ${copy}::int), p.updated_at
      from products p where p.sku not like '%-%-%'
      order by p.created_at limit ${Math.min(base, room)}`.execute(db)
    await sql`
      insert into variants (id, product_id, sku, options, price_amount, image_url, position,
        created_at, updated_at)
      select case when v.id = v.product_id then md5(v.id || ${copy}::text)::uuid::text
               else md5(v.id || ':v' || ${copy}::text)::uuid::text end,
        md5(v.product_id || ${copy}::text)::uuid::text, v.sku || '-' || ${copy}::text, v.options,
        v.price_amount + (${copy}::int * 37) % 500, v.image_url, v.position, v.created_at,
        v.updated_at
      from variants v
      where exists (select 1 from products c where c.id = md5(v.product_id || ${copy}::text)::uuid::text)
        and not exists (select 1 from variants w where w.product_id = md5(v.product_id || ${copy}::text)::uuid::text)`.execute(
      db,
    )
    await sql`
      insert into stock (variant_id, product_id, on_hand, reserved)
      select v.id, v.product_id, 10 + (${copy}::int % 90), 0 from variants v
      where not exists (select 1 from stock s where s.variant_id = v.id)`.execute(db)
  }
  await sql`analyze`.execute(db)
}

interface Scenario {
  name: string
  paths: string[]
}

async function cursorPages(base: string, pages: number): Promise<string[]> {
  const paths: string[] = []
  let cursor: string | null = null
  for (let i = 0; i < pages; i++) {
    const path: string = cursor ? `${base}&cursor=${cursor}` : base
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    const body = (await response.json()) as { nextCursor: string | null }
    if (i > 0) paths.push(path)
    cursor = body.nextCursor
    if (!cursor) break
  }
  return paths
}

/** CPU seconds so far of the PostgreSQL backends serving the service (Linux /proc), or 0. */
async function backendCpuSeconds(database: Database): Promise<number> {
  if (database.kind !== 'postgres') return 0
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database()`.execute(database.db)
  let ticks = 0
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // not on this machine, or gone
    }
  }
  return ticks / 100
}

async function runWrk(
  scenario: Scenario,
  target = `http://127.0.0.1:${port}`,
): Promise<Record<string, string | number>> {
  const database = service.database!
  const pgBefore = await backendCpuSeconds(database)
  const nodeBefore = process.cpuUsage()
  const dir = mkdtempSync(join(tmpdir(), 'catalog-wrk-'))
  const script = join(dir, 'paths.lua')
  writeFileSync(
    script,
    `local paths = {${scenario.paths.map((p) => JSON.stringify(p)).join(',')}}\n` +
      `local i = 0\nrequest = function()\n  i = i % #paths + 1\n` +
      `  return wrk.format('GET', paths[i])\nend\n`,
  )
  // Asynchronously: the service answers from this very process.
  const { stdout: out } = await promisify(execFile)(
    'wrk',
    [
      `-t${values.threads}`,
      `-c${values.connections}`,
      `-d${values.seconds}s`,
      '--latency',
      '-s',
      script,
      target,
    ],
    { encoding: 'utf8' },
  )
  const node = process.cpuUsage(nodeBefore)
  const pg = (await backendCpuSeconds(database)) - pgBefore
  rmSync(dir, { recursive: true })
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0)
  const latency: Record<string, string> = {}
  for (const m of out.matchAll(/(\d+)%\s+([\d.]+)(us|ms|s)/g)) {
    const v = Number(m[2]) * (m[3] === 'us' ? 0.001 : m[3] === 's' ? 1000 : 1)
    latency[`p${m[1]}`] = v.toFixed(2)
  }
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0)
  return {
    scenario: scenario.name,
    'req/s': Math.round(rps),
    'p50 ms': latency.p50 ?? '',
    'p90 ms': latency.p90 ?? '',
    'p99 ms': latency.p99 ?? '',
    non2xx,
    // CPU time per request, which the other load on a shared machine disturbs less than req/s.
    'node µs/req': requests ? Math.round((node.user + node.system) / requests) : 0,
    'of it kernel': requests ? Math.round(node.system / requests) : 0,
    'pg µs/req': requests ? Math.round((pg * 1e6) / requests) : 0,
  }
}

function say(text: string): void {
  process.stdout.write(`${text}\n`)
}

function markdownTable(rows: Array<Record<string, string | number>>): string {
  const columns = Object.keys(rows[0] ?? {})
  const line = (cells: unknown[]) => `| ${cells.join(' | ')} |`
  return [
    line(columns),
    line(columns.map(() => '---')),
    ...rows.map((row) => line(columns.map((c) => row[c]))),
  ].join('\n')
}

const scratch = await scratchDatabase()
const log = createLogger({ service: 'catalog', level: values['log-level'] as 'error' })
const bus = createInProcessBus({ log })
const config = loadCatalogConfig({
  CATALOG_DATABASE_URL: scratch.url,
  CATALOG_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
  LOG_LEVEL: values['log-level'],
})
const service = await createCatalogService(config, { log, expiryIntervalMs: 0 })
const running = await startService(service, { port, log, bus })
try {
  await service.seedDemo()
  await running.stopRelay()
  if (products > 1000) await grow(service.database!, products)
  else await sql`analyze`.execute(service.database!.db)
  const categories = (await (await fetch(`http://127.0.0.1:${port}/categories`)).json()) as {
    items: Array<{ slug: string }>
  }
  const slugs = categories.items.map((c) => c.slug)
  const words = ['lamp', 'coffee', 'oak', 'handmade', 'shirt', 'wireless', 'garden', 'steel']
  const list = '/products?limit=20'
  const scenarios: Scenario[] = [
    // References: the fixed cost of a request to this service with a trivial query.
    { name: 'ref: categories', paths: ['/categories'] },
    { name: 'ref: newest limit 1', paths: ['/products?limit=1'] },
    { name: 'newest', paths: [list] },
    { name: 'price_asc', paths: [`${list}&sort=price_asc`] },
    { name: 'price_desc', paths: [`${list}&sort=price_desc`] },
    { name: 'category newest', paths: slugs.map((s) => `${list}&category=${s}`) },
    {
      name: 'category price_asc',
      paths: slugs.map((s) => `${list}&category=${s}&sort=price_asc`),
    },
    {
      name: 'price range asc',
      paths: Array.from(
        { length: 50 },
        (_, i) => `${list}&sort=price_asc&minPrice=${i * 100}&maxPrice=${i * 100 + 5000}`,
      ),
    },
    { name: 'newest pages 2-10', paths: await cursorPages(list, 10) },
    { name: 'price_asc pages 2-10', paths: await cursorPages(`${list}&sort=price_asc`, 10) },
    { name: 'search relevance', paths: words.map((w) => `${list}&q=${w}`) },
    { name: 'search price_asc', paths: words.map((w) => `${list}&q=${w}&sort=price_asc`) },
    { name: 'search pages 2-5', paths: await cursorPages(`${list}&q=steel`, 5) },
    {
      name: 'search typo',
      paths: ['hamdmade', 'wireles', 'stel lamp'].map((w) => `${list}&q=${encodeURIComponent(w)}`),
    },
  ]
  const rows = []
  await runWrk({ name: 'warm-up', paths: [list] })
  if (!values.only || 'ref: bare fastify'.includes(values.only)) {
    // The yardstick, in the same run: a bare fastify route answering a small JSON.
    const bare = Fastify()
    bare.get('/', async () => ({ hello: 'world' }))
    const address = await bare.listen({ port: port + 1, host: '127.0.0.1' })
    rows.push(await runWrk({ name: 'ref: bare fastify', paths: ['/'] }, address))
    await bare.close()
  }
  for (const scenario of scenarios) {
    if (values.only && !scenario.name.includes(values.only)) continue
    if (scenario.paths.length === 0) continue
    rows.push(await runWrk(scenario))
  }
  say(
    `\ncatalog alone on ${values.database}, ${products} products, wrk -c${values.connections} ` +
      `-t${values.threads} ${values.seconds}s per row, LOG_LEVEL=${values['log-level']}\n\n` +
      markdownTable(rows),
  )
  if (values.hold) {
    say(`holding on http://127.0.0.1:${port} (${scratch.url}); Ctrl-C to stop`)
    await new Promise((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
  }
} finally {
  await running.stopHttp()
  await running.close()
  await bus.close()
  await scratch.drop()
}
