import { setTimeout as sleep } from 'node:timers/promises'
import { createArrivals, expectedArrivals, type ArrivalPlan } from './arrivals.js'
import { createHttp, type Http } from './http.js'
import { resolveLoadOptions, type ResolvedLoadOptions } from './options.js'
import { createProductBook, type ProductBook } from './product-book.js'
import { progressLine } from './progress.js'
import { createRandom, weightedPicker } from './random.js'
import { scenarios, type ScenarioContext } from './scenarios/index.js'
import { createShopperPool } from './shoppers.js'
import { createCheckoutTally, createRecorder } from './stats.js'
import type { LoadOptions, LoadReport, ScenarioName } from './types.js'

/** What shoppers need to know before the crowd arrives: the categories and some products. */
async function primeCatalog(http: Http, book: ProductBook): Promise<void> {
  const categories = await http.call('categories', (api) => api.GET('/api/v1/categories'))
  if (categories.answered && categories.status === 200)
    book.setCategories(categories.body.items.map((c) => c.slug))
  const products = await http.call('products.prime', (api) =>
    api.GET('/api/v1/products', { params: { query: { limit: 100 } } }),
  )
  if (products.answered && products.status === 200) book.remember(products.body.items)
}

/** Where progress lines go: a function, stderr (rewritten in place on a TTY), or nowhere. */
function progressSink(option: LoadOptions['progress']) {
  if (typeof option === 'function') return { write: option, everyMs: 1_000, end: () => {} }
  if (!option) return undefined
  const tty = process.stderr.isTTY === true
  return {
    write: (line: string) => process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`),
    everyMs: tty ? 1_000 : 5_000,
    end: () => (tty ? process.stderr.write('\n') : undefined),
  }
}

/**
 * Runs the crowd: registers (or reuses) the shoppers, then starts scenarios at the planned
 * arrival times whatever the platform's speed (an open model: when `maxInFlight` scenarios are
 * under way an arrival is dropped, not delayed), lets the last ones finish, and reports.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const o: ResolvedLoadOptions = resolveLoadOptions(options)
  const hardStop = new AbortController()
  const recorder = createRecorder()
  const http = createHttp({
    baseUrl: o.baseUrl,
    recorder,
    timeoutMs: o.requestTimeoutSeconds * 1000,
    maxRetryWaitMs: o.maxRetryWaitSeconds * 1000,
    stop: hardStop.signal,
    connections: o.maxInFlight + 16,
  })
  // Separate streams: with a seed, the arrival times and the scenario of each arrival repeat
  // exactly, whatever the scenarios under way draw meanwhile.
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 32)
  const random = createRandom(seed)
  const arrivalRandom = createRandom(seed ^ 0x5bd1e995)
  const choiceRandom = createRandom(seed ^ 0x9e3779b9)
  const book = createProductBook(random)
  const pool = createShopperPool({ http, size: o.shoppers, statePath: o.statePath })
  const checkout = createCheckoutTally()
  const orderIds: string[] = []
  const context: ScenarioContext = {
    http,
    pool,
    book,
    random,
    checkout,
    pickCard: weightedPicker(o.cards),
    follow: o.followOrders,
    finalTimeoutMs: o.finalTimeoutSeconds * 1000,
    retryAfterDeclinePercent: o.retryAfterDeclinePercent,
    orderIds,
    stop: hardStop.signal,
  }
  const pickScenario = weightedPicker(o.mix)
  const plan: ArrivalPlan = {
    rate: o.rate,
    durationSeconds: o.durationSeconds,
    rampSeconds: o.rampSeconds,
    process: o.arrivals,
  }
  const counts = {} as Record<ScenarioName, { started: number; completed: number }>
  const dropped: Record<string, number> = {}
  const inFlight = new Set<Promise<void>>()
  const drop = (reason: string) => (dropped[reason] = (dropped[reason] ?? 0) + 1)
  const sink = progressSink(o.progress)
  let timer: NodeJS.Timeout | undefined

  try {
    const shoppers = await pool.setup()
    await primeCatalog(http, book)
    const startedAt = new Date()
    const t0 = performance.now()
    const elapsed = () => (performance.now() - t0) / 1000
    let draining = false
    let started = 0
    if (sink) {
      timer = setInterval(() => {
        const totals = recorder.totals()
        const t = elapsed()
        sink.write(
          progressLine({
            elapsedSeconds: t,
            durationSeconds: o.durationSeconds,
            targetRate: draining
              ? 0
              : expectedArrivals(plan, t + 0.5) - expectedArrivals(plan, t - 0.5),
            started,
            inFlight: inFlight.size,
            ...totals,
            dropped: Object.values(dropped).reduce((a, b) => a + b, 0),
            placed: checkout.report().placed,
            ended: checkout.report().placed - checkout.open,
            latency: recorder.overall(),
            draining,
          }),
        )
      }, sink.everyMs)
    }

    const launch = (name: ScenarioName) => {
      const tally = (counts[name] ??= { started: 0, completed: 0 })
      tally.started++
      started++
      const running = scenarios[name](context)
        .then((end) => {
          if (end === 'no_shopper') {
            tally.started--
            started--
            drop('no_shopper')
          } else if (end === 'done') tally.completed++
        })
        .catch((error: unknown) => {
          // A bug of ours, not the platform's: still visible, and it fails the run.
          const message = error instanceof Error ? error.message : String(error)
          recorder.record(`scenario.${name}`, 0, { kind: 'error', error: `loadgen ${message}` })
        })
        .finally(() => inFlight.delete(running))
      inFlight.add(running)
    }

    const next = createArrivals(plan, arrivalRandom)
    const quit = o.signal
    for (let at = next(); at !== undefined && !quit?.aborted; at = next()) {
      const wait = t0 + at * 1000 - performance.now()
      if (wait > 1) await sleep(wait, undefined, { signal: quit }).catch(() => undefined)
      if (quit?.aborted) break
      if (inFlight.size >= o.maxInFlight) drop('max_in_flight')
      else launch(pickScenario(choiceRandom))
    }
    // Let the runs under way end (a checkout may wait for its order) — within bounds.
    const remaining = o.durationSeconds - elapsed()
    if (remaining > 0 && !quit?.aborted)
      await sleep(remaining * 1000, undefined, { signal: quit }).catch(() => undefined)
    draining = true
    const drainMs = o.finalTimeoutSeconds * 1000 + o.requestTimeoutSeconds * 2000
    const patience = new AbortController()
    const drained = await Promise.race([
      Promise.allSettled([...inFlight]).then(() => true),
      sleep(drainMs, false, { signal: patience.signal }).catch(() => false),
    ])
    patience.abort()
    if (!drained) {
      hardStop.abort()
      await Promise.allSettled([...inFlight])
    }
    const seconds = elapsed()
    await pool.save().catch(() => undefined)

    const totals = recorder.totals()
    const droppedTotal = Object.values(dropped).reduce((a, b) => a + b, 0)
    return {
      startedAt: startedAt.toISOString(),
      seconds: Math.round(seconds * 100) / 100,
      operations: recorder.operations(seconds),
      checkout: checkout.report(),
      totals: {
        ...totals,
        dropped: droppedTotal,
        errorRate: totals.requests > 0 ? totals.errors / totals.requests : 0,
      },
      errorsByKind: recorder.errorsByKind(),
      droppedByReason: dropped,
      scenarios: counts,
      shoppers,
      settings: {
        baseUrl: http.target,
        rate: o.rate,
        durationSeconds: o.durationSeconds,
        rampSeconds: o.rampSeconds,
        maxInFlight: o.maxInFlight,
        followOrders: o.followOrders,
      },
      orderIds,
      productIds: book.touched(),
    }
  } finally {
    if (timer) clearInterval(timer)
    sink?.end()
    hardStop.abort()
    await http.close()
  }
}
