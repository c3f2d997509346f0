import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import {
  embeddedManagementPort,
  reserveEmbeddedPorts,
  startProcess,
  waitForOk,
  type Started,
} from './process.js'
import { fillDataDir } from './embedded-data.js'
import { reportingSuite } from './reporting-suite.js'
import { ShopClient } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

// The reporting service's figures reconciled with the orders and the ledger (reporting-suite.ts)
// on the embedded platform: one process, PGlite databases, the in-process bus.
describe('reporting reconciles with the orders and the ledger (embedded platform)', () => {
  const port = embeddedPorts
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-reporting-'))
  const mailbox = join(dataDir, 'mailbox.jsonl')
  let started: Started
  let client: ShopClient
  let adminToken: string

  beforeAll(async () => {
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(port + 1),
      DATA_DIR: dataDir,
      ADMIN_EMAILS: 'admin@e2e.example',
      NOTIFICATIONS_SENDER: `file:${mailbox}`,
      LOG_LEVEL: 'warn',
      ORDERS_UPSTREAM_TIMEOUT_MS: '20000',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '30000',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(port + 1)}/readyz`, started, 420_000)
    client = new ShopClient(`http://127.0.0.1:${port}/api/v1`)
    adminToken = (await client.registerAdmin('admin@e2e.example', mailbox)).token
  }, 480_000)

  afterAll(() => {
    if (started?.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  reportingSuite(() => ({ client, adminToken }))
})
