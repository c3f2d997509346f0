// Benchmark 5, embedded start: from spawning `npm start`'s process (`tsx apps/all-in-one/src/
// main.ts`) to `/readyz` answering 200, with a fresh DATA_DIR (the first start: PGlite's initdb,
// migrations, the demo catalog) and again with the same DATA_DIR (a warm start); then the whole
// platform's resident memory (the process tree, from /proc) idle and after a short load run.
import { runLoad } from '@emporium/loadgen'
import { startEmbedded } from './lib/platform.js'
import { scratchDir, treeRss } from './lib/processes.js'
import { hotSummary, profilingArgs } from './lib/profile.js'
import type { Section } from './lib/report.js'

export interface StartBenchOptions {
  /** Length of the load run before memory is read, s. */
  loadSeconds: number
  /** Profile the warm start (`--cpu-prof`) and print its hottest functions. */
  profile?: boolean
}

const MB = 1024 * 1024

export async function startBenchmark(options: StartBenchOptions): Promise<Section> {
  const dataDir = scratchDir('start-data')
  // The load generator registers its shoppers through the gateway from one address.
  const env = {
    GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
    GATEWAY_REGISTER_LIMIT_PER_CLIENT: '1000000',
    GATEWAY_LOGIN_LIMIT_PER_CLIENT: '1000000',
  }
  const first = await startEmbedded({ dataDir, env })
  const firstMs = first.readyMs
  const firstIdle = treeRss(first.child.pid)
  await first.stop()
  console.error(`  first start: ${Math.round(firstMs)} ms`)

  const notes: string[] = []
  if (options.profile) {
    // A start of its own, stopped once ready: the profile shows the start and nothing else.
    const profiles = scratchDir('profiles')
    const profiled = await startEmbedded({
      dataDir,
      env,
      nodeArgs: profilingArgs(profiles, 'all-in-one'),
    })
    await profiled.stop()
    notes.push(
      `Warm start under --cpu-prof: ready in ${(profiled.readyMs / 1000).toFixed(1)} s; ` +
        hotSummary(profiles, 'all-in-one', 15),
    )
  }
  const warm = await startEmbedded({ dataDir, env })
  const warmMs = warm.readyMs
  console.error(`  warm start: ${Math.round(warmMs)} ms`)
  const idle = treeRss(warm.child.pid)
  let peak = idle
  const sampler = setInterval(() => {
    peak = Math.max(peak, treeRss(warm.child.pid))
  }, 500)
  const rate = 20
  const report = await runLoad({
    baseUrl: warm.gateway,
    rate,
    durationSeconds: options.loadSeconds,
    rampSeconds: 2,
    shoppers: 8,
    followOrders: 'poll',
    finalTimeoutSeconds: 30,
  })
  clearInterval(sampler)
  const afterLoad = treeRss(warm.child.pid)
  peak = Math.max(peak, afterLoad)
  await warm.stop()

  const rss = (bytes: number) => Math.round(bytes / MB)
  return {
    name: 'start',
    title: 'Embedded start and memory',
    method:
      `Time from spawning \`node --import tsx apps/all-in-one/src/main.ts\` (what \`npm start\` ` +
      `runs after building the storefront) to \`/readyz\` 200, polled every 25 ms; first with ` +
      `a fresh DATA_DIR, then again with the same one. Memory: RSS summed over the process ` +
      `tree (/proc), idle after the warm start and after ${options.loadSeconds} s of the load ` +
      `generator's default mix at ${rate} shoppers/s (${report.totals.requests} requests, ` +
      `${report.totals.errors} errors, ${report.checkout.confirmed} orders confirmed).`,
    tables: [
      {
        title: 'Start and memory',
        columns: ['measure', 'value'],
        rows: [
          ['first start (fresh DATA_DIR) to ready, s', firstMs / 1000],
          ['warm start (same DATA_DIR) to ready, s', warmMs / 1000],
          ['CPU time used until ready, first start, s', first.readyCpuSeconds],
          ['CPU time used until ready, warm start, s', warm.readyCpuSeconds],
          ['RSS after the first start, idle, MB', rss(firstIdle)],
          ['RSS after the warm start, idle, MB', rss(idle)],
          ['RSS after the load run, MB', rss(afterLoad)],
          ['RSS peak during the load run (sampled every 0.5 s), MB', rss(peak)],
        ],
      },
    ],
    ratios: [
      { name: 'warm start', value: warmMs / 1000, unit: 's', target: { op: '<=', value: 5 } },
      { name: 'first start', value: firstMs / 1000, unit: 's', target: { op: '<=', value: 30 } },
      {
        name: 'whole platform RSS after the load run (peak)',
        value: rss(peak),
        unit: 'MB',
        target: { op: '<=', value: 400 },
      },
    ],
    notes,
  }
}
