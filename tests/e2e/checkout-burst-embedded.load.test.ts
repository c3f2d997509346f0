import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import { burstSuite, type BurstPlatform } from './burst-suite.js'
import {
  reserveEmbeddedPorts,
  type Started,
  startProcess,
  waitForOk,
  embeddedManagementPort,
} from './process.js'
import { ShopClient } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

// Issue 14's burst on the embedded platform, as `npm start` runs it: every service in one
// process on PGlite, where admission control matters most. Default deadlines and admission
// settings; only the gateway's per-address limits are lifted (300 buyers share one address).
// The gateway answers from a worker thread of its own (apps/all-in-one/src/gateway-thread.ts):
// on the services' busy event loop its slowest answer was 6-12 s, on its own thread 2.4 s
// (`npm run bench:burst`, 2026-12-02).
describe('a burst of placements through the gateway (embedded platform)', () => {
  const port = embeddedPorts
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-burst-'))
  let started: Started
  let platform: BurstPlatform

  beforeAll(async () => {
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(port + 1),
      DATA_DIR: dataDir,
      ADMIN_EMAILS: 'admin@e2e.example',
      NOTIFICATIONS_SENDER: `file:${join(dataDir, 'mailbox.jsonl')}`,
      LOG_LEVEL: 'warn',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    // The gateway's management server.
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(port + 1)}/readyz`, started, 150_000)
    const client = new ShopClient(`http://127.0.0.1:${port}/api/v1`)
    const admin = await client.registerAdmin('admin@e2e.example', join(dataDir, 'mailbox.jsonl'))
    platform = { client, adminToken: admin.token }
  }, 180_000)

  afterAll(() => {
    if (started.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  burstSuite(() => platform)
})
