// Benchmark 1, gateway overhead: `GET /api/v1/products/{id}` through the gateway, from the
// catalog directly and through nginx to the same catalog; `GET /api/v1/cart` with a bearer token
// likewise (JWT verification and Redis rate limiting on in the gateway); and a bare fastify JSON
// route as the ceiling. Throughput at fixed concurrency (wrk), latency at a fixed rate.
import { onCleanup } from './lib/cleanup.js'
import { startNginx } from './lib/nginx.js'
import { atRate, type RateResult } from './lib/open-load.js'
import { deleteRedisKeys, registerShopper, startDistributed } from './lib/platform.js'
import { hotSummary, profilesDir, profilingArgs } from './lib/profile.js'
import { freePort, spawnTsx, treeCpu, waitForHttp, type Child } from './lib/processes.js'
import { fmt, percentile, type Ratio, type Section } from './lib/report.js'
import { ensurePackage } from './lib/tools.js'
import { wrk, type WrkResult } from './lib/wrk.js'

export interface GatewayBenchOptions {
  /** Length of one row's run in one round, s. */
  seconds: number
  /** Rounds over all contenders (figures: the median round; latency: all rounds merged). */
  rounds: number
  connections: number
  /** Arrival rate of the latency rows, req/s. */
  rate: number
  /** LOG_LEVEL of the services (default `warn`: no line per request). */
  logLevel: string
  /** Run the gateway, catalog and cart under `--cpu-prof` and print their hottest functions. */
  profile?: boolean
}

interface Contender {
  label: string
  origin: string
  paths: string[]
  headers?: Record<string, string>
  /** Processes whose CPU time per request is reported (the proxy, then the upstream). */
  cpu: Child[]
}

export async function gatewayBenchmark(options: GatewayBenchOptions): Promise<Section> {
  await ensurePackage('wrk', '/usr/bin/wrk')
  await ensurePackage('nginx', '/usr/sbin/nginx')

  const barePort = await freePort()
  const bare = spawnTsx(
    'bare-fastify',
    'scripts/bench/lib/bare-server.ts',
    {},
    {
      args: [String(barePort)],
    },
  )
  const bareOrigin = `http://127.0.0.1:${barePort}`
  await waitForHttp(`${bareOrigin}/healthz`, { child: bare })

  const profiles = options.profile ? profilesDir() : undefined
  const profiled = (service: string) => profilingArgs(profiles, service)
  const platform = await startDistributed(
    ['users', 'catalog', 'cart', 'gateway'],
    {
      LOG_LEVEL: options.logLevel,
      CATALOG_SEED_DEMO: 'true',
      // One client sends everything: lift the per-client limit so nothing is throttled, while
      // every request still spends from its bucket (decided in the gateway, settled with Redis
      // every GATEWAY_RATE_LIMIT_SYNC_MS, as deployed).
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000000',
    },
    {
      nodeArgs: {
        gateway: profiled('gateway'),
        catalog: profiled('catalog'),
        cart: profiled('cart'),
      },
    },
  )
  const catalog = platform.urls.catalog!
  const cart = platform.urls.cart!
  const gateway = platform.gateway!

  const ids = await productIds(catalog)
  const shopper = await registerShopper(platform.urls.users!)
  onCleanup('delete the shopper cart', async () => {
    await deleteRedisKeys([`emporium:cart:${shopper.userId}`])
  })
  const bearer = { authorization: `Bearer ${shopper.accessToken}` }
  // What the gateway adds to a request it forwards (forward-headers.ts), as fixed values: to
  // tell how much of the cart's extra cost behind the gateway is these headers' handling.
  const forwarded = {
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-proto': 'http',
    'x-forwarded-host': new URL(gateway).host,
    'x-request-id': '5f0c6d2e-8b1a-4c3e-9d7f-2a6b4e8c1d3f',
    'x-correlation-id': '5f0c6d2e-8b1a-4c3e-9d7f-2a6b4e8c1d3f',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
  }

  const nginx = await startNginx([
    { location: '/api/v1/products/', target: `${catalog}/products/` },
    { location: '/api/v1/cart', target: `${cart}/cart` },
    { location: '/bare/', target: `${bareOrigin}/` },
  ])

  const gw = platform.children.gateway!
  const cat = platform.children.catalog!
  const crt = platform.children.cart!
  const productPaths = (prefix: string) => ids.map((id) => `${prefix}/products/${id}`)
  const contenders = {
    bare: { label: 'bare fastify JSON route', origin: bareOrigin, paths: ['/json'], cpu: [bare] },
    nginxBare: {
      label: 'nginx → bare fastify',
      origin: nginx.origin,
      paths: ['/bare/json'],
      cpu: [nginx.child, bare],
    },
    catalog: {
      label: 'product: catalog direct',
      origin: catalog,
      paths: productPaths(''),
      cpu: [cat],
    },
    nginxCatalog: {
      label: 'product: nginx → catalog',
      origin: nginx.origin,
      paths: productPaths('/api/v1'),
      cpu: [nginx.child, cat],
    },
    gatewayCatalog: {
      label: 'product: gateway → catalog (anonymous)',
      origin: gateway,
      paths: productPaths('/api/v1'),
      cpu: [gw, cat],
    },
    gatewayCatalogJwt: {
      label: 'product: gateway → catalog (bearer: JWT + Redis limit)',
      origin: gateway,
      paths: productPaths('/api/v1'),
      headers: bearer,
      cpu: [gw, cat],
    },
    cart: {
      label: 'cart: cart direct (bearer)',
      origin: cart,
      paths: ['/cart'],
      headers: bearer,
      cpu: [crt],
    },
    cartForwarded: {
      label: "cart: cart direct (bearer, with the gateway's forwarded headers)",
      origin: cart,
      paths: ['/cart'],
      headers: { ...bearer, ...forwarded },
      cpu: [crt],
    },
    nginxCart: {
      label: 'cart: nginx → cart (bearer)',
      origin: nginx.origin,
      paths: ['/api/v1/cart'],
      headers: bearer,
      cpu: [nginx.child, crt],
    },
    gatewayCart: {
      label: 'cart: gateway → cart (bearer: JWT + Redis limit)',
      origin: gateway,
      paths: ['/api/v1/cart'],
      headers: bearer,
      cpu: [gw, crt],
    },
  } satisfies Record<string, Contender>
  type Name = keyof typeof contenders
  const loadOf = (contender: Contender) => ({
    paths: contender.paths,
    headers: contender.headers,
    connections: options.connections,
  })

  // Rounds: every contender in turn, several times, so that the load other work puts on a shared
  // machine falls on all of them alike; a warm-up of each first (JIT, pools, caches).
  const names = Object.keys(contenders) as Name[]
  for (const name of names) {
    const contender: Contender = contenders[name]
    await wrk(contender.origin, { ...loadOf(contender), seconds: 2 })
  }
  const runs = new Map<Name, Array<WrkResult & { cpuSeconds: number[] }>>()
  for (let round = 0; round < options.rounds; round++) {
    for (const name of names) {
      const contender: Contender = contenders[name]
      const before = contender.cpu.map((child) => treeCpu(child.pid))
      const result = await wrk(contender.origin, {
        ...loadOf(contender),
        seconds: options.seconds,
      })
      const cpuSeconds = contender.cpu.map((child, i) => treeCpu(child.pid) - before[i]!)
      runs.set(name, [...(runs.get(name) ?? []), { ...result, cpuSeconds }])
    }
  }
  const throughput = new Map<Name, WrkResult & { cpu: number[] }>()
  for (const name of names) {
    const all = runs.get(name)!
    const requests = all.reduce((sum, r) => sum + r.requests, 0)
    const cpu = contenders[name].cpu.map(
      (_, i) => (all.reduce((sum, r) => sum + r.cpuSeconds[i]!, 0) * 1e6) / Math.max(1, requests),
    )
    const result = {
      requests,
      rps: median(all.map((r) => r.rps)),
      p50: median(all.map((r) => r.p50)),
      p90: median(all.map((r) => r.p90)),
      p99: median(all.map((r) => r.p99)),
      max: Math.max(...all.map((r) => r.max)),
      errors: all.reduce((sum, r) => sum + r.errors, 0),
      cpu,
    }
    throughput.set(name, result)
    console.error(`  ${contenders[name].label}: ${result.rps} req/s (${all.map((r) => r.rps)})`)
  }

  // Latency is measured below saturation: at the requested rate, or at half the slowest row's
  // throughput of its group when the machine cannot take the requested rate; in rounds too.
  const groups: Array<{ rows: Name[]; rate: number }> = [
    { rows: ['catalog', 'nginxCatalog', 'gatewayCatalogJwt'], rate: 0 },
    { rows: ['cart', 'nginxCart', 'gatewayCart'], rate: 0 },
  ]
  const latency = new Map<Name, RateResult & { rate: number }>()
  for (const group of groups) {
    const slowest = Math.min(...group.rows.map((name) => throughput.get(name)!.rps))
    group.rate = Math.max(10, Math.min(options.rate, Math.floor(slowest / 20) * 10))
    const merged = new Map<Name, { latencies: number[]; errors: number; sent: number }>()
    for (let round = 0; round < options.rounds; round++) {
      for (const name of group.rows) {
        const contender: Contender = contenders[name]
        const result = await atRate(contender.origin, {
          paths: contender.paths,
          headers: contender.headers,
          rate: group.rate,
          seconds: options.seconds,
          // Steady state, as the throughput rows: a second at the rate on the same connections
          // first (their opening, and the JIT of a path just switched to, are not the tail).
          warmupSeconds: 1,
        })
        const entry = merged.get(name) ?? { latencies: [], errors: 0, sent: 0 }
        entry.latencies.push(...result.latencies)
        entry.errors += result.errors
        entry.sent += result.sent
        merged.set(name, entry)
      }
    }
    for (const name of group.rows) {
      const { latencies, errors, sent } = merged.get(name)!
      latencies.sort((a, b) => a - b)
      const at = (q: number) => Math.round(percentile(latencies, q) * 100) / 100
      const result = {
        sent,
        errors,
        rps: Math.round(latencies.length / (options.rounds * options.seconds)),
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        max: at(1),
        latencies: [],
        rate: group.rate,
      }
      latency.set(name, result)
      console.error(
        `  ${contenders[name].label} at ${group.rate}/s: p50 ${result.p50} p99 ${result.p99} ms`,
      )
    }
  }
  const latencyRows = groups.flatMap((g) => g.rows)
  const productRate = groups[0]!.rate
  const cartRate = groups[1]!.rate

  const rps = (name: Name) => throughput.get(name)!.rps
  const perRequestUs = (proxy: Name, direct: Name) => 1e6 / rps(proxy) - 1e6 / rps(direct)
  const p99Added = (proxy: Name, direct: Name) => latency.get(proxy)!.p99 - latency.get(direct)!.p99
  const p50Added = (proxy: Name, direct: Name) => latency.get(proxy)!.p50 - latency.get(direct)!.p50
  const ratio = (name: string, a: Name, b: Name, target?: Ratio['target'], note?: string) =>
    ({ name, value: rps(a) / rps(b), unit: '×', target, note }) satisfies Ratio
  const anyErrors = [...throughput.values()].some((r) => r.errors > 0)
  const notes: string[] = []
  if (anyErrors)
    notes.push('Some rows had errors (see the errors column): their figures are suspect.')
  if (profiles) {
    await platform.stop() // the profiles are written as the processes exit
    for (const service of ['gateway', 'catalog', 'cart']) {
      notes.push(hotSummary(profiles, service, 12, 15))
    }
  }

  return {
    name: 'gateway',
    title: 'Gateway overhead',
    method:
      `wrk, ${options.connections} connections, 1 thread; after a 2 s warm-up of each row, ` +
      `${options.rounds} rounds of ${options.seconds} s over all rows in turn (req/s and ` +
      `percentiles: the median round); latency rows at a fixed ${options.rate} req/s, or half the slowest row's ` +
      `throughput of the group when lower, in rounds too, each after a 1 s warm-up at that ` +
      `rate on its connections (open model, undici, latency from the scheduled send time). The gateway has rate limiting on, settled with Redis in ` +
      `batches (its limit raised so nothing is throttled); services at LOG_LEVEL=${options.logLevel}; nginx: 1 worker, ` +
      `upstream keep-alive, no access log. CPU µs/req: CPU time of the proxy process, then of ` +
      `the upstream, divided by the requests of the row.`,
    tables: [
      {
        title: 'Throughput at fixed concurrency',
        columns: ['contender', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'CPU µs/req'],
        rows: (Object.keys(contenders) as Name[]).map((name) => {
          const r = throughput.get(name)!
          return [
            contenders[name].label,
            r.rps,
            r.p50,
            r.p99,
            r.errors,
            r.cpu.map((c) => Math.round(c)).join(' + '),
          ]
        }),
      },
      {
        title: 'Latency at a fixed arrival rate',
        columns: [
          'contender',
          'rate/s',
          'answered/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'errors',
        ],
        rows: latencyRows.map((name) => {
          const r = latency.get(name)!
          return [contenders[name].label, r.rate, r.rps, r.p50, r.p90, r.p99, r.max, r.errors]
        }),
      },
    ],
    ratios: [
      ratio(
        'product: gateway (JWT + Redis) / nginx',
        'gatewayCatalogJwt',
        'nginxCatalog',
        { op: '>=', value: 0.5 },
        'the target row',
      ),
      ratio('product: gateway (anonymous) / nginx', 'gatewayCatalog', 'nginxCatalog'),
      ratio('product: gateway (JWT + Redis) / direct', 'gatewayCatalogJwt', 'catalog'),
      ratio('product: nginx / direct', 'nginxCatalog', 'catalog'),
      ratio('cart: gateway / nginx', 'gatewayCart', 'nginxCart', { op: '>=', value: 0.5 }),
      ratio('cart: gateway / direct', 'gatewayCart', 'cart'),
      ratio('cart: nginx / direct', 'nginxCart', 'cart'),
      ratio("cart: direct with the gateway's headers / direct", 'cartForwarded', 'cart'),
      ratio('nginx → bare / bare fastify', 'nginxBare', 'bare', undefined, 'reference: 0.60×'),
      ratio('catalog product read / bare fastify', 'catalog', 'bare'),
      {
        name: 'product: time per request added by nginx',
        value: perRequestUs('nginxCatalog', 'catalog'),
        unit: 'µs',
      },
      {
        name: 'product: time per request added by the gateway (JWT + Redis)',
        value: perRequestUs('gatewayCatalogJwt', 'catalog'),
        unit: 'µs',
      },
      {
        name: `product: p99 added by nginx at ${productRate}/s`,
        value: p99Added('nginxCatalog', 'catalog'),
        unit: 'ms',
      },
      {
        name: `product: p99 added by the gateway (JWT + Redis) at ${productRate}/s`,
        value: p99Added('gatewayCatalogJwt', 'catalog'),
        unit: 'ms',
        target: { op: '<=', value: 2 },
      },
      {
        name: `product: p50 added by nginx / by the gateway at ${productRate}/s`,
        value: p50Added('nginxCatalog', 'catalog'),
        unit: `ms / ${fmt(p50Added('gatewayCatalogJwt', 'catalog'))} ms`,
      },
      {
        name: `cart: p50 added by nginx / by the gateway at ${cartRate}/s`,
        value: p50Added('nginxCart', 'cart'),
        unit: `ms / ${fmt(p50Added('gatewayCart', 'cart'))} ms`,
      },
      {
        name: `cart: p99 added by nginx at ${cartRate}/s`,
        value: p99Added('nginxCart', 'cart'),
        unit: 'ms',
      },
      {
        name: `cart: p99 added by the gateway at ${cartRate}/s`,
        value: p99Added('gatewayCart', 'cart'),
        unit: 'ms',
        target: { op: '<=', value: 2 },
      },
    ],
    notes,
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

/** Ids of the catalog's first 100 products (asked again for a while: it may still be seeding). */
async function productIds(catalog: string): Promise<string[]> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const response = await fetch(`${catalog}/products?limit=100`)
    const body = (await response.json()) as { items?: Array<{ id: string }> }
    if (response.ok && body.items && body.items.length > 0) return body.items.map((i) => i.id)
    if (Date.now() > deadline) {
      throw new Error(`the catalog lists no products: ${response.status} ${JSON.stringify(body)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
