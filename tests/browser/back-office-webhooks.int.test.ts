import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, reserveEmbeddedPorts, type Started } from '../e2e/process.js'
import { ShopClient } from '../e2e/shop-client.js'
import { axeViolations } from './axe.js'
import { launchChromium, startPlatform, stopPlatform } from './shop-browser.js'

// This file's own ports, claimed against every other test on the machine. Its own platform, not
// the browser suites' shared one (shared-platform.ts): its endpoint takes order.placed, so there
// every suite's orders would be delivered to it beside the test events it counts and replays, and
// it expects no endpoint left once it deleted its own.
const embeddedPorts = await reserveEmbeddedPorts()

// The back office's webhooks pages (issue 21) in Debian's headless Chromium against the embedded
// platform: the owner registers a partner's endpoint pointing at a test receiver on 127.0.0.1
// (on the webhooks service's development allow-list), sees its signing secret once, sends a test
// event, sees the delivery arrive with its attempt, and replays it; the receiver verifies every
// signature with the secret the page showed. Refusals are shown by field; the secret is rotated
// with an overlap; the endpoint is disabled, enabled, edited and deleted; a member of staff
// without webhooks.manage is not shown the section.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const ownerEmail = 'owner@back-office-webhooks.example'
const password = 'correct horse battery staple' // ShopClient's (registerAdmin)

/** A request the test receiver took. */
interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** A partner's HTTP receiver on 127.0.0.1 (a port the system picks): 200 and a short text. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      response.writeHead(200, { 'content-type': 'text/plain' }).end('thanks from the receiver')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}`, received }
}

/** Whether `secret` verifies the request's Standard Webhooks signature. */
function verifies(secret: string, request: Received): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>)
    return true
  } catch {
    return false
  }
}

describe('webhooks in the back office in a browser', () => {
  const port = embeddedPorts
  const base = `http://127.0.0.1:${port}`
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-back-office-webhooks-'))
  const client = new ShopClient(`${base}/api/v1`)
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let started: Started
  let browser: Browser
  let current: Page | undefined
  const contexts: BrowserContext[] = []
  let endpointUrl = ''
  let endpointPath = ''
  let secret = ''

  async function open(email?: string): Promise<Page> {
    // UTC: the replay form's times are the browser's.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      baseURL: base,
      timezoneId: 'UTC',
    })
    contexts.push(context)
    // The secret's Copy button writes the clipboard; the test reads it back.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
    const page = await context.newPage()
    page.setDefaultTimeout(45_000)
    current = page
    if (email) {
      await page.goto('/signin')
      await page.getByLabel('Email').fill(email)
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('button', { name: /Sign out/ }).waitFor()
    }
    return page
  }

  /** The requests the receiver took that carry `eventId` as their `webhook-id`, waited for. */
  async function receivedWith(eventId: string, count: number): Promise<Received[]> {
    await expect
      .poll(() => receiver.received.filter((r) => r.headers['webhook-id'] === eventId).length, {
        timeout: 90_000,
        interval: 250,
      })
      .toBeGreaterThanOrEqual(count)
    return receiver.received.filter((r) => r.headers['webhook-id'] === eventId)
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    receiver = await startReceiver()
    endpointUrl = `${receiver.url}/hooks/orders`
    // A busy machine sheds page loads (503) while the demo catalog seeds: not what this tests.
    started = await startPlatform(port, dataDir, ownerEmail, {
      GATEWAY_MAX_EVENT_LOOP_DELAY_MS: '0',
      // The receiver is on 127.0.0.1, over http: the development allow-list lets it through.
      WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1',
    })
    browser = await launchChromium()
    await client.registerAdmin(ownerEmail, join(dataDir, 'mailbox.jsonl'))
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !current) return
    const file = `back-office-webhooks-failed-${task.name.replace(/\W+/g, '-')}.png`
    await current.screenshot({ path: join(artifacts, file), fullPage: true }).catch(() => undefined)
  })

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined)
    await browser?.close().catch(() => undefined)
    if (started) await stopPlatform(started)
    await new Promise((resolve) => receiver?.server.close(resolve))
    rmSync(dataDir, { recursive: true, force: true })
  }, 60_000)

  it('shows refusals by field, and registers an endpoint whose secret is shown once', async () => {
    const page = await open(ownerEmail)
    await page.goto('/admin')
    const nav = page.getByRole('navigation', { name: 'Back office' })
    await nav.getByRole('link', { name: 'Webhooks' }).click()
    await page.getByRole('heading', { name: 'Webhooks', level: 2 }).waitFor()
    const form = page.getByRole('region', { name: 'Register endpoint' })
    const url = form.getByLabel('URL', { exact: true })
    await form.getByRole('checkbox', { name: /order\.placed/ }).waitFor()

    // No event type chosen: the service's refusal is shown by the event types' fieldset.
    await url.fill(endpointUrl)
    await form.getByRole('button', { name: 'Register endpoint' }).click()
    await form.locator('#register-eventTypes-problem').waitFor()
    await form.getByRole('alert').filter({ hasText: 'Event types:' }).waitFor()
    expect(await url.getAttribute('aria-invalid')).toBeNull()

    // Plain http to a host off the allow-list: refused by the URL field.
    await url.fill('http://partner.example/hooks')
    await form.getByRole('checkbox', { name: /order\.placed/ }).check()
    await form.getByRole('button', { name: 'Register endpoint' }).click()
    await form.locator('#register-url-problem').filter({ hasText: 'URL:' }).waitFor()
    expect(await url.getAttribute('aria-invalid')).toBe('true')
    expect(await url.getAttribute('aria-describedby')).toBe('register-url-problem')
    expect(await form.locator('#register-eventTypes-problem').count()).toBe(0)
    expect(await axeViolations(page)).toEqual([])

    // The receiver's address: registered, its secret shown this once.
    await url.fill(endpointUrl)
    await form.getByLabel('Description (optional)').fill('Order feed of the test partner')
    await form.getByRole('button', { name: 'Register endpoint' }).click()
    await page.getByText(`Endpoint ${endpointUrl} registered.`).waitFor()
    await page.getByText('you will not see it again').waitFor()
    secret = await page.getByRole('textbox', { name: 'Signing secret', exact: true }).inputValue()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/)
    await page.getByRole('button', { name: 'Copy secret' }).click()
    await page.getByRole('status').filter({ hasText: 'Secret copied to the clipboard.' }).waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret)
    // The form is empty again, and the endpoint is listed.
    expect(await url.inputValue()).toBe('')
    const row = page.locator('.endpoints-table tbody tr', { hasText: endpointUrl })
    expect(await row.innerText()).toContain('order.placed')
    expect(await row.innerText()).toContain('Enabled')
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: join(artifacts, 'admin-webhooks.png'), fullPage: true })

    // Its page, and the list read again: the secret is nowhere.
    await page.getByRole('link', { name: 'Open its page' }).click()
    await page.getByRole('heading', { name: endpointUrl, level: 2 }).waitFor()
    endpointPath = new URL(page.url()).pathname
    expect(endpointPath).toMatch(/^\/admin\/webhooks\/[^/]+$/)
    await page.getByText('Order feed of the test partner').waitFor()
    expect(await page.content()).not.toContain(secret)
    await page.goto('/admin/webhooks')
    await page.locator('.endpoints-table tbody tr', { hasText: endpointUrl }).waitFor()
    expect(await page.content()).not.toContain(secret)
  }, 300_000)

  it('sends a test event, shows its delivery and attempt, and replays it', async () => {
    expect(secret, 'the endpoint of the first test').not.toBe('')
    const page = await open(ownerEmail)
    await page.goto(endpointPath)
    await page.getByRole('heading', { name: endpointUrl, level: 2 }).waitFor()
    await page.getByText('No deliveries.').waitFor()
    await page.getByRole('button', { name: 'Send test event' }).click()
    await page.getByRole('status').filter({ hasText: 'Test event queued.' }).waitFor()

    // The list shows it (read again after the send), delivered once the dispatcher sent it.
    const row = page.locator('.deliveries-table tbody tr', { hasText: 'webhook.test' })
    await row.waitFor()
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh deliveries' }).click()
          await page.waitForFunction(() => !document.querySelector('.loading'))
          return row.locator('[data-status]').getAttribute('data-status')
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe('delivered')
    expect(await row.innerText()).toContain('HTTP 200')
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: join(artifacts, 'admin-webhook-endpoint.png'), fullPage: true })

    // Its page: the payload, the event id, one attempt with the receiver's answer.
    await page.getByRole('link', { name: 'See its delivery' }).click()
    await page.getByRole('heading', { name: 'Delivery of webhook.test', level: 2 }).waitFor()
    await page.locator('[data-delivery-status="delivered"]').waitFor()
    const eventId = await page.locator('.delivery-summary code').innerText()
    expect(await page.locator('.payload').innerText()).toContain('"type": "webhook.test"')
    const attempts = page.locator('.attempts-table tbody tr')
    expect(await attempts.count()).toBe(1)
    expect(await attempts.first().innerText()).toMatch(/HTTP 200[\s\S]*thanks from the receiver/)
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: join(artifacts, 'admin-webhook-delivery.png'), fullPage: true })

    // The receiver took it, signed with the secret the page showed, with the page's event id.
    const [first] = await receivedWith(eventId, 1)
    expect(first!.path).toBe('/hooks/orders')
    expect(verifies(secret, first!)).toBe(true)
    expect(verifies(`whsec_${Buffer.alloc(24, 7).toString('base64')}`, first!)).toBe(false)

    // Replayed: sent again with the same webhook-id, a second attempt in the log.
    await page.getByRole('button', { name: 'Replay delivery' }).click()
    await page.getByRole('status').filter({ hasText: 'Delivery sent again' }).waitFor()
    const both = await receivedWith(eventId, 2)
    expect(both.every((request) => verifies(secret, request))).toBe(true)
    expect(JSON.parse(both[1]!.body)).toEqual(JSON.parse(both[0]!.body))
    await expect.poll(() => attempts.count(), { timeout: 60_000, interval: 500 }).toBe(2)
    await page.locator('[data-delivery-status="delivered"]').waitFor()
  }, 300_000)

  it('rotates the secret, filters, replays a range, disables, edits and deletes the endpoint', async () => {
    expect(secret, 'the endpoint of the first test').not.toBe('')
    const page = await open(ownerEmail)
    await page.goto(endpointPath)
    await page.getByRole('heading', { name: endpointUrl, level: 2 }).waitFor()

    await page.getByLabel('Overlap (hours)').fill('2')
    await page.getByRole('button', { name: 'Rotate secret' }).click()
    await page.getByText('you will not see it again').waitFor()
    const rotated = await page
      .getByRole('textbox', { name: 'Signing secret', exact: true })
      .inputValue()
    expect(rotated).toMatch(/^whsec_/)
    expect(rotated).not.toBe(secret)
    await page.getByText('The previous secret still signs deliveries').waitFor()
    expect(await axeViolations(page)).toEqual([])

    // During the overlap a delivery carries both signatures: either secret verifies it.
    const before = receiver.received.length
    await page.getByRole('button', { name: 'Send test event' }).click()
    await page.getByRole('status').filter({ hasText: 'Test event queued.' }).waitFor()
    await expect.poll(() => receiver.received.length, { timeout: 90_000 }).toBe(before + 1)
    const latest = receiver.received.at(-1)!
    expect(verifies(rotated, latest)).toBe(true)
    expect(verifies(secret, latest)).toBe(true)

    // None failed; two were sent (the first test event and this one).
    const status = page.getByLabel('Status', { exact: true })
    await status.selectOption('failed')
    await page.getByText('No deliveries with that status.').waitFor()
    await status.selectOption('')
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh deliveries' }).click()
          await page.waitForFunction(() => !document.querySelector('.loading'))
          return page.locator('.deliveries-table [data-status="delivered"]').count()
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe(2)

    // Every delivery of the last hour sent again: both, each with its own webhook-id again.
    const local = (at: Date) => at.toISOString().slice(0, 19)
    const now = Date.now()
    await page.getByLabel('From', { exact: true }).fill(local(new Date(now - 3_600_000)))
    await page.getByLabel('To', { exact: true }).fill(local(new Date(now + 60_000)))
    const sent = receiver.received.length
    await page.getByRole('button', { name: 'Replay the range' }).click()
    await page.getByRole('status').filter({ hasText: '2 deliveries sent again.' }).waitFor()
    await expect.poll(() => receiver.received.length, { timeout: 90_000 }).toBe(sent + 2)
    const ids = receiver.received.slice(sent).map((r) => r.headers['webhook-id'])
    expect(new Set(ids).size).toBe(2)

    // Disabled by an admin, then enabled again.
    await page.getByRole('button', { name: 'Disable endpoint' }).click()
    await page.getByRole('status').filter({ hasText: 'Endpoint disabled.' }).waitFor()
    expect(await page.locator('[data-endpoint-state]').innerText()).toContain('Disabled')
    expect(await page.getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true)
    await page.getByRole('button', { name: 'Enable endpoint' }).click()
    await page.getByRole('status').filter({ hasText: 'Endpoint enabled.' }).waitFor()
    expect(await page.locator('[data-endpoint-state]').innerText()).toBe('Enabled')

    // Edited: no event type is refused by the field; a new description is saved.
    await page.getByRole('button', { name: 'Edit endpoint' }).click()
    const edit = page.getByRole('region', { name: 'Edit endpoint' })
    await edit.getByRole('checkbox', { name: /order\.placed/ }).uncheck()
    await edit.getByRole('button', { name: 'Save endpoint' }).click()
    await edit.locator('#edit-eventTypes-problem').waitFor()
    await edit.getByRole('checkbox', { name: /order\.cancelled/ }).check()
    await edit.getByLabel('Description (optional)').fill('Cancellations only')
    await edit.getByRole('button', { name: 'Save endpoint' }).click()
    await page.getByRole('status').filter({ hasText: 'Endpoint saved.' }).waitFor()
    const details = page.locator('.endpoint-details')
    expect(await details.innerText()).toContain('Cancellations only')
    expect(await details.innerText()).toContain('order.cancelled')
    expect(await details.innerText()).not.toContain('order.placed')

    // Deleted, once confirmed: gone from the list.
    page.once('dialog', (dialog) => void dialog.accept())
    await page.getByRole('button', { name: 'Delete endpoint' }).click()
    await page.getByRole('heading', { name: 'Webhooks', level: 2 }).waitFor()
    await page.getByText('No endpoints registered yet.').waitFor()
  }, 300_000)

  it('shows the section to staff with webhooks.manage only', async () => {
    // Support reads orders and customers: no webhooks.
    const email = `support-${Date.now()}@back-office-webhooks.example`
    const account = await client.register(email)
    const admin = await client.login(ownerEmail)
    const granted = await client.call(`/staff/${account.userId}/roles`, {
      method: 'PUT',
      token: admin.token,
      body: { roles: ['support'] },
    })
    expect(granted.status, JSON.stringify(granted.body)).toBe(200)
    const member = await open(email)
    await member.goto('/admin')
    const nav = member.getByRole('navigation', { name: 'Back office' })
    await nav.getByRole('link', { name: 'Customers' }).waitFor()
    expect(await nav.getByRole('link').allInnerTexts()).not.toContain('Webhooks')
    await member.goto('/admin/webhooks')
    await member.getByText('Your roles do not include this section').waitFor()
    // The service refuses them too, whatever the page shows.
    const login = await client.login(email)
    const listed = await client.call('/webhooks/endpoints', { token: login.token })
    expect(listed.status).toBe(403)
  }, 180_000)
})
