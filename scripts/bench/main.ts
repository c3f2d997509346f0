// `npm run bench -- [--only gateway,catalog,checkout,messaging,start,burst] [--seconds 5] [--json f]`
// The benchmark suite of issue 8. Each benchmark starts what it needs on spare ports (18000-
// 19999), with scratch databases and vhost, runs its contenders side by side and prints their
// figures and ratios as Markdown (for docs/performance.md); everything it started or created
// is removed afterwards, on failure and Ctrl-C too. Absolute figures on a shared machine are
// noise: read the ratios between rows of one run.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { burstBenchmark } from './burst.js'
import { catalogBenchmark } from './catalog.js'
import { checkoutBenchmark } from './checkout.js'
import { gatewayBenchmark } from './gateway.js'
import { cleanupAll, installSignalCleanup } from './lib/cleanup.js'
import { setServiceRuntime, sweepLeftovers } from './lib/platform.js'
import { setRuntimeNode } from './lib/processes.js'
import { chooseNode } from './lib/production-node.js'
import { markdownSection, met, type Section } from './lib/report.js'
import { describeMachine } from './lib/tools.js'
import { messagingBenchmark } from './messaging.js'
import { startBenchmark } from './start.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    'log-level': { type: 'string', default: 'warn' },
    profile: { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    node: { type: 'string', default: 'production' },
    'large-products': { type: 'string', default: '100000' },
    'large-embedded': { type: 'boolean', default: false },
    'skip-peers': { type: 'boolean', default: false },
    messages: { type: 'string', default: '30000' },
    shoppers: { type: 'string' },
    warmup: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})

const usage = `npm run bench -- [options]
  --only <names>         comma-separated: gateway, catalog, checkout, messaging, start, burst
                         (default all)
  --seconds <n>          measured seconds per row (default: gateway 2 per round, catalog 3;
                         checkout's runs 20; start's load run 15)
  --rounds <n>           gateway: rounds over all its rows (default 3)
  --connections <n>      wrk connections of the throughput rows (default 50)
  --rate <n>             arrival rate of the gateway's latency rows, req/s (default 1000)
  --log-level <level>    LOG_LEVEL of the services in the gateway benchmark (default warn)
  --profile              run the services under --cpu-prof and print their hottest
                         functions (gateway, catalog, checkout, start)
  --tsx                  run the distributed mode's services from the sources under tsx
                         (default: bundled as the images run them, built into dist/)
  --node <which>         the Node of the services, the bare routes and the peers: production
                         (default: the images' version, fetched once from the npm registry
                         into ~/.cache/emporium-bench), current (this process's), or a path;
                         the embedded platform runs on this process's Node, as npm start does
  --large-products <n>   size of the large catalog (default 100000; 0 skips it)
  --large-embedded       catalog: the large catalog in the embedded mode too (PGlite: the
                         bulk insert alone takes a minute or two)
  --skip-peers           catalog: no Vendure or Medusa rows (each set up from npm into
                         ~/.cache/emporium-bench on first use, its catalog in a database of its
                         own, both kept)
  --messages <n>         events of the messaging benchmark (default 30000: shorter runs swing with the machine)
  --shoppers <n>         checkout: shoppers checking out at once (default 32)
  --warmup <n>           checkout: seconds of back-to-back load before anything is measured
                         (default 20; 0 measures the services' code cold)
  --json <file>          also write the results (and the machine) as JSON`

if (values.help) {
  console.log(usage)
  process.exit(0)
}

const seconds = values.seconds ? Number(values.seconds) : undefined
if (values.warmup !== undefined && !(Number(values.warmup) >= 0)) {
  console.error(`--warmup takes a number of seconds, 0 or more (not ${values.warmup})\n\n${usage}`)
  process.exit(2)
}
const benchmarks: Record<string, () => Promise<Section>> = {
  gateway: () =>
    gatewayBenchmark({
      seconds: seconds ?? 2,
      rounds: Number(values.rounds),
      connections: Number(values.connections),
      rate: Number(values.rate),
      logLevel: values['log-level']!,
      profile: values.profile,
    }),
  catalog: () =>
    catalogBenchmark({
      seconds: seconds ?? 3,
      connections: Number(values.connections),
      largeProducts: Number(values['large-products']),
      largeEmbedded: values['large-embedded'],
      skipPeers: values['skip-peers'],
      profile: values.profile,
    }),
  checkout: () =>
    checkoutBenchmark({
      seconds: seconds ?? 20,
      concurrency: values.shoppers ? Number(values.shoppers) : undefined,
      profile: values.profile,
      warmupSeconds: values.warmup === undefined ? undefined : Number(values.warmup),
    }),
  messaging: () => messagingBenchmark({ messages: Number(values.messages) }),
  start: () => startBenchmark({ loadSeconds: seconds ?? 15, profile: values.profile }),
  burst: () => burstBenchmark(),
}
const names = values.only ? values.only.split(',').map((n) => n.trim()) : Object.keys(benchmarks)
const unknown = names.filter((name) => !benchmarks[name])
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}\n\n${usage}`)
  process.exit(2)
}

installSignalCleanup()
setServiceRuntime(values.tsx ? 'tsx' : 'bundle')
const runtime = chooseNode(values.node)
setRuntimeNode(runtime.path)
for (const leftover of await sweepLeftovers()) {
  console.error(`bench: removed ${leftover}, left by a run killed more than a day ago`)
}
const machine = await describeMachine()
console.log(
  `## Run of ${machine.date.slice(0, 10)}\n\n` +
    `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
    `PostgreSQL ${machine.postgres}; load average ${machine.loadAverage} at the start ` +
    `(a shared machine: compare rows of one run). Distributed services ` +
    (values.tsx ? 'from the sources under tsx' : 'bundled as the images run them') +
    `, on Node ${runtime.version}${runtime.note}; the embedded platform on Node ${machine.node}.\n`,
)
const sections: Section[] = []
let failed = false
for (const name of names) {
  const started = Date.now()
  console.error(`bench: ${name}…`)
  try {
    const section = await benchmarks[name]!()
    sections.push(section)
    console.log(markdownSection(section) + '\n')
  } catch (error) {
    failed = true
    console.error(`bench: ${name} failed:`, error)
  } finally {
    await cleanupAll()
  }
  console.error(`bench: ${name} took ${Math.round((Date.now() - started) / 1000)} s`)
}

const verdicts = sections.flatMap((s) =>
  s.ratios.filter((r) => r.target).map((r) => ({ section: s.name, ...r, met: met(r) })),
)
if (verdicts.length > 0) {
  console.log('### Targets\n')
  for (const v of verdicts) console.log(`- ${v.section}: ${v.name}: ${v.met ? 'met' : 'MISSED'}`)
}
if (values.json)
  writeFileSync(
    values.json,
    JSON.stringify({ machine: { ...machine, serviceNode: runtime.version }, sections }, null, 2),
  )
process.exit(failed ? 1 : 0)
