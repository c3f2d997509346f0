import { afterAll, beforeAll, describe } from 'vitest'
import { checkoutSuite, type CheckoutPlatform } from './checkout-suite.js'
import { startDistributedPlatform, type DistributedPlatform } from './distributed.js'
import { ShopClient } from './shop-client.js'

// The checkout of API.md in the distributed mode: each service its own process on real
// MariaDB (users), PostgreSQL (catalog, orders, payments, notifications, cart's inbox), Redis
// (carts, rate limits) and RabbitMQ. Default saga deadlines: the slow card is confirmed.
describe('checkout through the gateway (distributed: real PostgreSQL, Redis, RabbitMQ)', () => {
  let running: DistributedPlatform
  let platform: CheckoutPlatform

  beforeAll(async () => {
    running = await startDistributedPlatform()
    const client = new ShopClient(running.api)
    const admin = await client.registerAdmin('admin@e2e.example', running.mailbox)
    platform = { client, adminToken: admin.token, slowCardEnds: 'confirmed' }
  }, 240_000)

  afterAll(async () => {
    await running?.stop()
  }, 60_000)

  checkoutSuite(() => platform)
})
