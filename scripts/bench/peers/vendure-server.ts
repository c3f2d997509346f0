// Vendure as a peer of the catalog benchmark (issue 20), run from the bench's npm cache of it
// (VENDURE_DIR, see vendure.ts), on PostgreSQL (VENDURE_DB_*), with the configuration of the
// app `@vendure/create` scaffolds, less its email, asset-server, GraphiQL and dashboard plugins
// (the listing reads none of them; the asset server needs sharp).
//   node --import tsx scripts/bench/peers/vendure-server.ts populate   (schema + sample data)
//   node --import tsx scripts/bench/peers/vendure-server.ts serve      (the server on VENDURE_PORT)
// `populate` does what `npx @vendure/create` does: `populate()` from @vendure/core/cli with the
// initial data and products CSV that @vendure/create ships; the products' images are skipped
// (no asset storage configured), so products have no featured asset.
import { createRequire } from 'node:module'
import { join } from 'node:path'

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
const dir = env('VENDURE_DIR')
const require = createRequire(join(dir, 'package.json'))
const core = require('@vendure/core')
const assets = join(dir, 'node_modules/@vendure/create/assets')
const mode = process.argv[2]

const config = {
  apiOptions: {
    port: Number(process.env.VENDURE_PORT ?? 3000),
    hostname: '127.0.0.1',
    adminApiPath: 'admin-api',
    shopApiPath: 'shop-api',
    // As the scaffolded app outside development: no cross-origin browsers.
    cors: { origin: [], credentials: true },
  },
  authOptions: {
    tokenMethod: ['bearer', 'cookie'],
    superadminCredentials: { identifier: 'superadmin', password: 'bench-superadmin' },
    cookieOptions: { secret: 'bench-cookie-secret' },
  },
  dbConnectionOptions: {
    type: 'postgres',
    synchronize: mode === 'populate',
    logging: false,
    host: env('VENDURE_DB_HOST'),
    port: Number(env('VENDURE_DB_PORT')),
    username: env('VENDURE_DB_USER'),
    password: process.env.VENDURE_DB_PASSWORD ?? '',
    database: env('VENDURE_DB_NAME'),
  },
  paymentOptions: { paymentMethodHandlers: [core.dummyPaymentHandler] },
  importExportOptions: { importAssetsDir: join(assets, 'images') },
  logger: new core.DefaultLogger({ level: core.LogLevel.Warn }),
  customFields: {},
  plugins: [
    core.DefaultSchedulerPlugin.init(),
    core.DefaultJobQueuePlugin.init({ useDatabaseForBuffer: true }),
    core.DefaultSearchPlugin.init({ bufferUpdates: false, indexStockStatus: true }),
  ],
}

if (mode === 'populate') {
  const { populate } = require('@vendure/core/cli')
  const app = await populate(
    async () => {
      const started = await core.bootstrap(config)
      await started.get(core.JobQueueService).start()
      return started
    },
    join(assets, 'initial-data.json'),
    join(assets, 'products.csv'),
  )
  // The import queued the search index's jobs: let them finish (@vendure/create waits a few
  // seconds, too short on a busy machine), or `search` lists only the products indexed so far.
  const connection = app.get(core.TransactionalConnection).rawConnection
  const deadline = Date.now() + 600_000
  for (;;) {
    const [{ left }] = await connection.query(
      `select count(*)::int as left from job_record where state in ('PENDING', 'RUNNING', 'RETRYING')`,
    )
    if (left === 0) break
    if (Date.now() > deadline) throw new Error(`${left} jobs still pending after 10 minutes`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  await app.close()
  process.exit(0)
} else if (mode === 'serve') {
  const app = await core.bootstrap(config)
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
} else {
  throw new Error(`usage: vendure-server.ts populate|serve (got ${mode})`)
}
