import { afterAll, beforeAll, describe } from 'vitest'
import { burstSuite, type BurstPlatform } from './burst-suite.js'
import { startDistributedPlatform, type DistributedPlatform } from './distributed.js'
import { ShopClient } from './shop-client.js'

// Issue 14's burst in the distributed mode: every service its own process on PostgreSQL,
// MariaDB, Redis and RabbitMQ, with default deadlines and admission settings (the harness lifts
// the gateway's per-address limits: 300 buyers share one address).
// Met since the gateway answers a placement past GATEWAY_PLACEMENT_DEADLINE_MS (1 s) with 503
// and retry-after: each answer is checked against 3 s. A load test: it runs on its own, after
// the rest of the suite (vitest.load.config.ts).
describe('a burst of placements through the gateway (distributed)', () => {
  let running: DistributedPlatform
  let platform: BurstPlatform

  beforeAll(async () => {
    running = await startDistributedPlatform()
    const client = new ShopClient(running.api)
    const admin = await client.registerAdmin('admin@e2e.example', running.mailbox)
    platform = { client, adminToken: admin.token }
  }, 240_000)

  afterAll(async () => {
    await running?.stop()
  }, 60_000)

  burstSuite(() => platform)
})
