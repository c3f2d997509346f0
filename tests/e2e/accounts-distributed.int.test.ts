import { afterAll, beforeAll, describe } from 'vitest'
import { reservePort } from '@emporium/platform/testing'
import { accountsSuite } from './accounts-suite.js'
import { startDistributedPlatform, type DistributedPlatform } from './distributed.js'
import { startSmtp, type SmtpMailbox } from './smtp-mailbox.js'

// This file's SMTP port, claimed against every other test on the machine (the platform's ports
// are claimed by startDistributedPlatform).
const smtpPort = await reservePort()
const publicUrl = 'https://shop.example'

// Issue 18, accounts, in the distributed mode: each service its own process on real databases,
// Redis and RabbitMQ, through the gateway; the notifications service mails a real SMTP server
// started here instead of the harness's default `file:` sender (accounts-suite.ts).
describe('address book and password reset (distributed: real PostgreSQL, Redis, RabbitMQ, SMTP)', () => {
  let running: DistributedPlatform
  let smtp: SmtpMailbox

  beforeAll(async () => {
    smtp = await startSmtp(smtpPort)
    running = await startDistributedPlatform(
      {},
      {
        serviceEnv: {
          notifications: { NOTIFICATIONS_SENDER: `smtp://127.0.0.1:${smtpPort}` },
          users: { USERS_PUBLIC_URL: publicUrl },
        },
      },
    )
  }, 300_000)

  afterAll(async () => {
    await running?.stop()
    await smtp?.close()
  }, 60_000)

  accountsSuite(() => ({ api: running.api, smtp, publicUrl }))
})
