import { afterAll, beforeAll, describe } from 'vitest'
import { checkoutPricingSuite } from './checkout-pricing-suite.js'
import { checkoutSuite, type CheckoutPlatform } from './checkout-suite.js'
import { startDistributedPlatform, type DistributedPlatform } from './distributed.js'
import { ShopClient } from './shop-client.js'

// The checkout of API.md in the distributed mode: each service its own process on the real
// database its declaration names (MariaDB or PostgreSQL), Redis (carts, rate limits) and
// RabbitMQ. Default saga deadlines: the slow card is confirmed.
describe('checkout through the gateway (distributed: real PostgreSQL, Redis, RabbitMQ)', () => {
  let running: DistributedPlatform
  let platform: CheckoutPlatform

  beforeAll(async () => {
    // The oversell burst (100 placements at once) took 9-10 s on a busy CI machine, at the
    // gateway's default 10 s deadline: this suite proves the saga's outcomes, not burst latency,
    // which is the capacity issue's (14) burst test with admission control.
    running = await startDistributedPlatform(
      {},
      {
        serviceEnv: {
          gateway: { GATEWAY_UPSTREAM_TIMEOUT_MS: '30000' },
          // A declined order waits 30 s for another card (the suite's deadline case).
          orders: { ORDERS_UPSTREAM_TIMEOUT_MS: '20000', ORDERS_PAYMENT_DUE_SECONDS: '30' },
        },
      },
    )
    const client = new ShopClient(running.api)
    const admin = await client.registerAdmin('admin@e2e.example', running.mailbox)
    platform = { client, adminToken: admin.token, slowCardEnds: 'confirmed' }
  }, 240_000)

  afterAll(async () => {
    await running?.stop()
  }, 60_000)

  checkoutSuite(() => platform)
  checkoutPricingSuite(() => ({ ...platform, mailbox: running.mailbox }))
})
