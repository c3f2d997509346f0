import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { reserveEmbeddedPorts, type Started } from '../e2e/process.js'
import { adminEmails, type PlatformOutput, type SharedPlatformInfo } from './shared-platform.js'
import { startPlatform, stopPlatform } from './shop-browser.js'

// The browser suites' shared embedded platform (tests/browser/shared-platform.ts), owned by
// vitest's main process. Vitest runs every project's global setup before the first test file of
// the whole run, while the unit and adapter suites still have the cores: so the platform is not
// started here but when the first browser suite asks this control server for it, and it runs
// until the run ends. Its address and mailbox are fixed here, so a suite knows them at once.

/** What every sharing suite needs of the platform, besides startPlatform's own settings. */
const settings = {
  // Not what any suite looks at: a busy machine would shed pages (503) and the API reference's
  // document (Swagger UI does not ask again). Shedding is tested by the e2e and load suites.
  GATEWAY_MAX_EVENT_LOOP_DELAY_MS: '0',
  // The product pages' meta waited for, so pages are as a shopper gets them on a machine with
  // time to spare (accessibility.int.test.ts reads a product page's head).
  GATEWAY_PAGE_META_TIMEOUT_MS: '10000',
  // The suites decline the same test card, payment-retry.int.test.ts more than payments' default
  // 3 an hour; the limit per shopper (5), which that suite tests, stays.
  PAYMENTS_MAX_DECLINES_PER_CARD: '100',
  // A platform of its own counted one suite's sign-ins, password resets and guests' carts from
  // 127.0.0.1; this one counts every suite's (some 40 sign-ins against a default of 20 per 15
  // minutes). No suite tests these limits.
  GATEWAY_LOGIN_LIMIT_PER_CLIENT: '100000',
  GATEWAY_PASSWORD_RESET_LIMIT_PER_CLIENT: '100000',
  GATEWAY_GUEST_LIMIT_PER_CLIENT: '100000',
}

export default async function setup(project: TestProject) {
  const port = await reserveEmbeddedPorts()
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-browser-shared-'))
  let started: Started | undefined
  let starting: Promise<void> | undefined
  /** Why the platform is not there: its start failed, or it ended while in use. */
  let failure: string | undefined
  let stopping = false

  const start = async () => {
    try {
      const platform = await startPlatform(
        port,
        dataDir,
        Object.values(adminEmails).join(','),
        settings,
      )
      started = platform
      void platform.exited.then(({ code, signal }) => {
        if (!stopping && started === platform) failure = `exited (${code ?? signal})`
      })
    } catch (error) {
      failure = `did not start: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  const stop = async () => {
    stopping = true
    await starting
    if (started) await stopPlatform(started)
    started = undefined
    starting = undefined
    failure = undefined
    stopping = false
  }

  const control = createServer((request, response) => {
    if (request.url === '/ready') {
      if (failure !== undefined) {
        response.writeHead(500, { 'content-type': 'text/plain' })
        const output = started ? `; its output:\n${started.output()}` : ''
        response.end(`the shared platform ${failure}${output}`)
      } else if (started) {
        response.writeHead(200).end()
      } else {
        starting ??= start()
        response.writeHead(202).end()
      }
    } else if (request.url === '/output') {
      const answer: PlatformOutput = { exited: failure ?? null, output: started?.output() ?? '' }
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify(answer))
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve))

  const info: SharedPlatformInfo = {
    control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    base: `http://127.0.0.1:${port}`,
    mailbox: join(dataDir, 'mailbox.jsonl'),
  }
  project.provide('browserPlatform', info)

  // Watch mode runs files again on the same global setup: they get a new shop (a suite's admin
  // registers once per shop), started when asked as the first one was.
  project.onTestsRerun(async () => {
    await stop()
    rmSync(dataDir, { recursive: true, force: true })
    mkdirSync(dataDir)
  })

  return async () => {
    await stop()
    await new Promise((resolve) => control.close(resolve))
    rmSync(dataDir, { recursive: true, force: true })
  }
}
