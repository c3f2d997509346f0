import { afterAll, beforeAll, describe } from 'vitest'
import { burstSuite, type BurstPlatform } from './burst-suite.js'
import { startDistributedPlatform, type DistributedPlatform } from './distributed.js'
import { ShopClient } from './shop-client.js'

// Issue 14's burst in the distributed mode: every service its own process on PostgreSQL,
// MariaDB, Redis and RabbitMQ, with default deadlines and admission settings (the harness lifts
// the gateway's per-address limits: 300 buyers share one address).
// Not met yet on the shared 2-core development machine (answers up to 12 s distributed, 60 s
// embedded, 2026-12-02): run it with BURST_E2E=1 until it passes, then drop the guard.
describe.skipIf(process.env.BURST_E2E !== '1')(
  'a burst of placements through the gateway (distributed)',
  () => {
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
  },
)
