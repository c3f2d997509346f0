import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import { checkoutSuite, type CheckoutPlatform } from './checkout-suite.js'
import { startProcess, waitForOk, type Started } from './process.js'
import { ShopClient } from './shop-client.js'

// The checkout of API.md on the embedded platform, as `npm start` runs it: one process, PGlite
// databases, the in-process bus. The payment deadline is shorter than the slow card's 5 s, so
// that card shows the deadline's cancellation and the refund of the late capture.
describe('checkout through the gateway (embedded platform)', () => {
  const port = 24000 + Math.floor(Math.random() * 500) * 8
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-checkout-'))
  let started: Started
  let platform: CheckoutPlatform

  beforeAll(async () => {
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(port + 1),
      DATA_DIR: dataDir,
      ADMIN_EMAILS: 'admin@e2e.example',
      NOTIFICATIONS_SENDER: `file:${join(dataDir, 'mailbox.jsonl')}`,
      LOG_LEVEL: 'warn',
      ORDERS_PAYMENT_DEADLINE_SECONDS: '3',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    // The gateway's management server: EMBEDDED_PORT_BASE + 6.
    await waitForOk(`http://127.0.0.1:${port + 7}/readyz`, started, 150_000)
    const client = new ShopClient(`http://127.0.0.1:${port}/api/v1`)
    const admin = await client.registerAdmin('admin@e2e.example', join(dataDir, 'mailbox.jsonl'))
    platform = { client, adminToken: admin.token, slowCardEnds: 'cancelled' }
  }, 180_000)

  afterAll(() => {
    if (started.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  checkoutSuite(() => platform)
})
