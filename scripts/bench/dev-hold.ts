import { writeFileSync } from 'node:fs'
import { installSignalCleanup } from './lib/cleanup.js'
import { registerShopper, startDistributed } from './lib/platform.js'
import { freePort, spawnTsx, waitForHttp } from './lib/processes.js'
installSignalCleanup()
const prof = process.env.PROF_DIR
const p = await startDistributed(
  ['users', 'catalog', 'cart', 'gateway'],
  {
    LOG_LEVEL: 'warn',
    CATALOG_SEED_DEMO: 'true',
    GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000000',
  },
  {
    nodeArgs: prof
      ? {
          gateway: ['--cpu-prof', `--cpu-prof-dir=${prof}/gateway`],
          catalog: ['--cpu-prof', `--cpu-prof-dir=${prof}/catalog`],
        }
      : {},
  },
)
const port = await freePort()
const before = spawnTsx(
  'gateway-before',
  '.bench-before/services/gateway/src/main.ts',
  { ...p.env, PORT: String(port) },
  { nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}/before`] : [] },
)
await waitForHttp(`http://127.0.0.1:${port}/readyz`, { child: before })
const page = (await (await fetch(`${p.urls.catalog}/products?limit=100`)).json()) as {
  items: { id: string }[]
}
const s = await registerShopper(p.urls.users!)
writeFileSync(
  '/tmp/gwdev/info.json',
  JSON.stringify({
    urls: { ...p.urls, before: `http://127.0.0.1:${port}` },
    token: s.accessToken,
    ids: page.items.map((i) => i.id),
    pids: {
      ...Object.fromEntries(Object.entries(p.children).map(([k, c]) => [k, c!.pid])),
      before: before.pid,
    },
  }),
)
console.log('ready')
await new Promise(() => {})
