import { afterAll, beforeAll, describe } from 'vitest'
import { startDistributedPlatform, type DistributedPlatform } from './distributed.js'
import { reportingSuite } from './reporting-suite.js'
import { ShopClient } from './shop-client.js'

// The reporting service's figures reconciled with the orders and the ledger (reporting-suite.ts)
// in the distributed mode: each service its own process on its real database, RabbitMQ between.
describe('reporting reconciles with the orders and the ledger (distributed: real PostgreSQL, Redis, RabbitMQ)', () => {
  let running: DistributedPlatform
  let platform: { client: ShopClient; adminToken: string }

  beforeAll(async () => {
    running = await startDistributedPlatform(
      {},
      {
        serviceEnv: {
          gateway: { GATEWAY_UPSTREAM_TIMEOUT_MS: '30000' },
          orders: { ORDERS_UPSTREAM_TIMEOUT_MS: '20000' },
        },
      },
    )
    const client = new ShopClient(running.api)
    const admin = await client.registerAdmin('admin@e2e.example', running.mailbox)
    platform = { client, adminToken: admin.token }
  }, 480_000)

  afterAll(async () => {
    await running?.stop()
  }, 60_000)

  reportingSuite(() => platform)
})
