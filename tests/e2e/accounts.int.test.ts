import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import { reservePort } from '@emporium/platform/testing'
import { accountsSuite } from './accounts-suite.js'
import {
  reserveEmbeddedPorts,
  type Started,
  startProcess,
  waitForOk,
  embeddedManagementPort,
} from './process.js'
import { fillDataDir } from './embedded-data.js'
import { startSmtp, type SmtpMailbox } from './smtp-mailbox.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()
const smtpPort = await reservePort()
const publicUrl = 'https://shop.example'

// Issue 18, accounts, on the embedded platform as `npm start` runs it, through the gateway, its
// mails received by a real SMTP server started here (accounts-suite.ts; the distributed run is
// accounts-distributed.int.test.ts).
describe('address book and password reset (embedded platform, real SMTP)', () => {
  const port = embeddedPorts
  const base = port + 1
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-accounts-'))
  let started: Started
  let smtp: SmtpMailbox

  beforeAll(async () => {
    smtp = await startSmtp(smtpPort)
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(base),
      DATA_DIR: dataDir,
      NOTIFICATIONS_SENDER: `smtp://127.0.0.1:${smtpPort}`,
      USERS_PUBLIC_URL: publicUrl,
      LOG_LEVEL: 'warn',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    // Generous: on a loaded machine the first start (migrations of every schema) is slow.
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(base)}/readyz`, started, 300_000)
  }, 330_000)

  afterAll(async () => {
    if (started?.child.exitCode === null) started.child.kill('SIGKILL')
    await smtp?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  accountsSuite(() => ({ api: `http://127.0.0.1:${port}/api/v1`, smtp, publicUrl }))
})
