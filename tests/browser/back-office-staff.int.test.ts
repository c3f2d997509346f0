import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, reserveEmbeddedPorts, type Started } from '../e2e/process.js'
import { cards, ShopClient } from '../e2e/shop-client.js'
import { axeViolations } from './axe.js'
import { launchChromium, startPlatform, stopPlatform } from './shop-browser.js'

// This file's own ports, claimed against every other test on the machine. Its own platform, not
// the browser suites' shared one (shared-platform.ts): it shows that the shop's only owner cannot
// give the role up, and on the shared platform every suite's admin is an owner too.
const embeddedPorts = await reserveEmbeddedPorts()

// Staff, audit trail and dashboard of the back office (issue 19) in Debian's headless Chromium
// against the embedded platform: the owner invites a member of staff with a role, the invited
// person accepts through the e-mailed link and sees only the sections of that role; the audit
// trail lists the invitation and a note on an order; the dashboard shows the order's figures,
// charts them and exports them as CSV. The shop's last owner cannot lose the role.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const ownerEmail = 'owner@back-office-staff.example'
const password = 'correct horse battery staple' // ShopClient's (registerAdmin)

/** The invitation link's token mailed to `email` (the `file:` sender's mailbox), waited for. */
async function invitationToken(mailbox: string, email: string): Promise<string> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const text = await readFile(mailbox, 'utf8').catch(() => '')
    // Whole lines only: the sender may be halfway through appending the last one.
    const token = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { to: string; text: string })
      .filter((m) => m.to === email.toLowerCase())
      .map((m) => /\/staff\/accept[?#]token=([A-Za-z0-9_.~%-]+)/.exec(m.text)?.[1])
      .filter((t): t is string => t !== undefined)
      .at(-1)
    if (token) return decodeURIComponent(token)
    if (Date.now() > deadline) throw new Error(`no staff invitation for ${email} in ${mailbox}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('staff, audit trail and dashboard of the back office in a browser', () => {
  const port = embeddedPorts
  const base = `http://127.0.0.1:${port}`
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-back-office-staff-'))
  const mailbox = join(dataDir, 'mailbox.jsonl')
  const client = new ShopClient(`${base}/api/v1`)
  const run = randomBytes(3).toString('hex')
  const inviteeEmail = `fulfilment-${run}@back-office-staff.example`
  const noteText = `Called the customer ${run}`
  let orderId = ''
  let ownerId = ''
  let started: Started
  let browser: Browser
  let current: Page | undefined
  const contexts: BrowserContext[] = []

  /** For what a page settles into after an answer arrives. */
  const settles = { timeout: 45_000 }

  async function open(email?: string): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      baseURL: base,
      acceptDownloads: true,
    })
    contexts.push(context)
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

  /** The back office's sections the page's member is shown. */
  const sectionsOf = (page: Page) =>
    page.getByRole('navigation', { name: 'Back office' }).getByRole('link').allInnerTexts()

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    // A busy machine sheds page loads (503) while the demo catalog seeds: not what this tests.
    started = await startPlatform(port, dataDir, ownerEmail, {
      GATEWAY_MAX_EVENT_LOOP_DELAY_MS: '0',
    })
    browser = await launchChromium()
    await client.registerAdmin(ownerEmail, mailbox)
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !current) return
    const file = `back-office-staff-failed-${task.name.replace(/\W+/g, '-')}.png`
    await current.screenshot({ path: join(artifacts, file), fullPage: true }).catch(() => undefined)
  })

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined)
    await browser?.close().catch(() => undefined)
    if (started) await stopPlatform(started)
    rmSync(dataDir, { recursive: true, force: true })
  }, 60_000)

  it('invites by e-mail with a role, keeps the last owner, and audits the invitation', async () => {
    const page = await open(ownerEmail)
    await page.goto('/admin')
    // The owner (the legacy admin role) sees every section.
    await page.getByRole('link', { name: 'Staff' }).waitFor()
    expect(await sectionsOf(page)).toEqual(
      expect.arrayContaining(['Products & stock', 'Orders', 'Dashboard', 'Staff', 'Audit trail']),
    )
    await page.getByRole('link', { name: 'Staff' }).click()
    await page.getByRole('heading', { name: 'Staff', level: 2 }).waitFor()
    await page.getByLabel('Email').fill(inviteeEmail)
    await page.getByLabel('Role', { exact: true }).selectOption('fulfilment')
    await page.getByRole('button', { name: 'Send invitation' }).click()
    await page.getByText(`Invitation sent to ${inviteeEmail}.`).waitFor()

    // The shop's only owner cannot give the role up.
    const owner = page.locator('.staff-member', { hasText: ownerEmail })
    await owner.getByRole('checkbox', { name: 'Owner' }).uncheck()
    await owner.getByRole('button', { name: /^Save roles/ }).click()
    await owner.getByRole('alert').filter({ hasText: 'at least one owner' }).waitFor()
    expect(await owner.getByRole('checkbox', { name: 'Owner' }).isChecked()).toBe(true)
    await page.screenshot({ path: join(artifacts, 'admin-staff.png'), fullPage: true })

    // The invitation is in the audit trail: who invited whom, with which role.
    await page.getByRole('link', { name: 'Audit trail' }).click()
    await page.getByLabel('Action').fill('staff.invited')
    const invited = page.locator('.audit-table tbody tr', { hasText: inviteeEmail })
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Search' }).click()
          await page.waitForFunction(() => !document.querySelector('.loading'))
          return invited.count()
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(1)
    expect(await invited.innerText()).toContain('fulfilment')
  }, 300_000)

  it("changes a member's roles, and a member sees only the sections of their roles", async () => {
    // An account that exists already is given a role rather than invited (API.md).
    const email = `support-${run}@back-office-staff.example`
    const account = await client.register(email)
    const admin = await client.login(ownerEmail)
    const granted = await client.call(`/staff/${account.userId}/roles`, {
      method: 'PUT',
      token: admin.token,
      body: { roles: ['fulfilment'] },
    })
    expect(granted.status, JSON.stringify(granted.body)).toBe(200)

    const member = await open(email)
    await member.getByRole('link', { name: 'Back office' }).click()
    await member.getByRole('heading', { name: 'Back office' }).waitFor()
    // Fulfilment reads and ships orders: the orders section only.
    await member.getByRole('link', { name: 'Orders' }).last().waitFor()
    expect(await sectionsOf(member)).toEqual(['Orders'])
    await member.goto('/admin/staff')
    await member.getByText('Your roles do not include this section').waitFor()

    // The owner makes them support instead, on the staff page.
    const page = await open(ownerEmail)
    await page.goto('/admin/staff')
    const row = page.locator('.staff-member', { hasText: email })
    expect(await row.getByRole('checkbox', { name: 'Fulfilment' }).isChecked()).toBe(true)
    await row.getByRole('checkbox', { name: 'Fulfilment' }).uncheck()
    await row.getByRole('checkbox', { name: 'Support' }).check()
    await row.getByRole('button', { name: /^Save roles/ }).click()
    await page.getByText('Roles of E2E Shopper saved.').waitFor()
    await page.reload()
    const saved = page.locator('.staff-member', { hasText: email })
    await saved.getByRole('checkbox', { name: 'Support' }).waitFor()
    expect(await saved.getByRole('checkbox', { name: 'Support' }).isChecked()).toBe(true)
    expect(await saved.getByRole('checkbox', { name: 'Fulfilment' }).isChecked()).toBe(false)
    // Signed in again, the member has support's sections: orders and customers.
    const again = await open(email)
    await again.goto('/admin')
    await again.getByRole('link', { name: 'Customers' }).waitFor()
    expect(await sectionsOf(again)).toEqual(['Orders', 'Customers'])
  }, 300_000)

  it('gives an existing account a role on the staff page, pointed there by a refused invitation', async () => {
    // A shopper with an account: an invitation to their address is refused (409), and the page
    // points the owner to the form that gives the account a role, the address searched there.
    const email = `catalogue-${run}@back-office-staff.example`
    await client.register(email)
    const before = await client.login(email)
    const me = await client.call('/users/me', { token: before.token })
    expect(me.body.permissions).toEqual([])

    const page = await open(ownerEmail)
    await page.goto('/admin/staff')
    await page.getByRole('heading', { name: 'Staff', level: 2 }).waitFor()
    await page.getByLabel('Email').fill(email)
    await page.getByRole('button', { name: 'Send invitation' }).click()
    await page.getByRole('alert').filter({ hasText: 'has an account already' }).waitFor()
    const grant = page.getByRole('region', { name: 'Give an existing account a role' })
    const search = grant.getByLabel('Find an account (e-mail or name)')
    // Filled by an effect after the refusal rendered (polled: a busy machine renders late).
    await expect.poll(() => search.inputValue(), settles).toBe(email)
    // The one account found is picked; it is not staff, so it is offered.
    const account = grant.getByRole('radio', { name: email })
    await account.waitFor()
    // Picked and offered once the search's answer rendered (polled: a busy machine renders late).
    await expect.poll(() => account.isChecked(), settles).toBe(true)
    expect(await account.isDisabled()).toBe(false)
    // The page with the refusal and the accounts found, under axe.
    expect(await axeViolations(page)).toEqual([])
    // A member of staff found by the search is not offered: their roles are changed below.
    await search.fill(ownerEmail)
    await grant.getByRole('button', { name: 'Find accounts' }).click()
    const owner = grant.getByRole('radio', { name: ownerEmail })
    await owner.waitFor()
    await expect.poll(() => owner.isDisabled(), settles).toBe(true)
    // The shopper found by part of the address, picked, given the catalogue manager's role.
    await search.fill(`catalogue-${run}`)
    await grant.getByRole('button', { name: 'Find accounts' }).click()
    await account.waitFor()
    await account.check()
    const give = grant.getByRole('button', { name: 'Give the roles' })
    expect(await give.isDisabled()).toBe(true) // no role chosen yet
    await grant.getByRole('checkbox', { name: 'Catalogue manager' }).check()
    await give.click()
    await page.getByText('Roles of E2E Shopper saved.').waitFor()
    // The list is read again: the account is a member with that role.
    const row = page.locator('.staff-member', { hasText: email })
    await row.waitFor()
    const manager = row.getByRole('checkbox', { name: 'Catalogue manager' })
    await expect.poll(() => manager.isChecked(), settles).toBe(true)
    expect(await row.getByRole('checkbox', { name: 'Owner' }).isChecked()).toBe(false)
    await page.screenshot({ path: join(artifacts, 'admin-staff-grant.png'), fullPage: true })

    // Their permissions are the catalogue manager's, and they see the catalogue section.
    const after = await client.login(email)
    const now = await client.call('/users/me', { token: after.token })
    expect(now.body.roles).toContain('catalog_manager')
    expect(now.body.permissions).toEqual(expect.arrayContaining(['catalog.write', 'pricing.write']))
    expect(now.body.permissions).not.toContain('staff.manage')
    const member = await open(email)
    await member.goto('/admin')
    await member
      .getByRole('navigation', { name: 'Back office' })
      .getByRole('link', { name: 'Products & stock' })
      .waitFor()
    const sections = await sectionsOf(member)
    expect(sections).toContain('Products & stock')
    expect(sections).not.toContain('Staff')
    expect(sections).not.toContain('Orders')
  }, 300_000)

  it('lets the invited person accept through the e-mailed link and sign in', async () => {
    const token = await invitationToken(mailbox, inviteeEmail)
    const invitee = await open()
    await invitee.goto(`/staff/accept#token=${encodeURIComponent(token)}`)
    await invitee.getByLabel('Name').fill('Fay Fulfilment')
    await invitee.getByLabel('Password', { exact: true }).fill('purple otter saxophone')
    await invitee.getByLabel('Confirm password').fill('purple otter saxophone')
    await invitee.getByRole('button', { name: 'Accept the invitation' }).click()
    await invitee.getByRole('heading', { name: 'Back office' }).waitFor()
    await invitee.getByRole('button', { name: /Sign out \(Fay Fulfilment\)/ }).waitFor()
    await invitee.getByRole('link', { name: 'Orders' }).last().waitFor()
    expect(await sectionsOf(invitee)).toEqual(['Orders'])
    // The token was dropped from the address bar; a second use is refused.
    await invitee.goto(`/staff/accept#token=${encodeURIComponent(token)}`)
    await invitee.getByRole('button', { name: 'Accept the invitation' }).waitFor()
    expect(new URL(invitee.url()).hash).toBe('')
    await invitee.getByLabel('Name').fill('Fay Again')
    await invitee.getByLabel('Password', { exact: true }).fill('purple otter saxophone')
    await invitee.getByLabel('Confirm password').fill('purple otter saxophone')
    await invitee.getByRole('button', { name: 'Accept the invitation' }).click()
    await invitee.getByText('This invitation cannot be used').waitFor()
  }, 300_000)

  it("shows an order's figures on the dashboard, charted and exported as CSV", async () => {
    const admin = await client.login(ownerEmail)
    const product = await client.createProduct(admin.token, 4200, 10)
    const shopper = await client.register()
    await client.addToCart(shopper.token, product.id, 2)
    const placed = await client.placeOrder(shopper.token, cards.approved)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    await client.waitForOrder(shopper.token, placed.body.id, (o) => o.status === 'confirmed')
    orderId = placed.body.id
    ownerId = admin.userId
    // A staff action on the order, for the audit trail below.
    const note = await client.call(`/orders/${orderId}/notes`, {
      token: admin.token,
      body: { text: noteText },
    })
    expect(note.status, JSON.stringify(note.body)).toBe(201)

    const page = await open(ownerEmail)
    await page.goto('/admin/dashboard')
    await page.getByRole('heading', { name: 'Dashboard', level: 2 }).waitFor()
    const top = page.locator('.top-products tbody tr', { hasText: product.name })
    // The order reaches the reporting service as events: shown again until it counts there.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Show' }).click()
          await page.waitForFunction(() => !document.querySelector('.loading'))
          return top.count()
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe(1)
    expect(await top.innerText()).toMatch(/2\s+\$84\.00/)
    const orders = page
      .locator('.figures > div')
      .filter({ has: page.getByText('Orders', { exact: true }) })
      .locator('dd')
    expect(Number(await orders.innerText())).toBeGreaterThanOrEqual(1)
    // Both charts are drawn (uPlot's canvas, loaded for this page only).
    await expect.poll(() => page.locator('.day-chart canvas').count()).toBe(2)
    await page.screenshot({ path: join(artifacts, 'admin-dashboard.png'), fullPage: true })

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export CSV' }).click()
    const file = await download
    expect(file.suggestedFilename()).toMatch(/^emporium-daily-.*\.csv$/)
    const csv = await readFile((await file.path())!, 'utf8')
    const today = new Date().toISOString().slice(0, 10)
    expect(csv.split('\n')[0]).toMatch(/date/i)
    expect(csv).toContain(today)
  }, 300_000)

  it('lists a staff action in the audit trail, who did what and when, before and after', async () => {
    const page = await open(ownerEmail)
    await page.goto('/admin/audit')
    await page.getByRole('heading', { name: 'Audit trail', level: 2 }).waitFor()
    await page.getByLabel('Entity id').fill(orderId)
    // The record reaches the reporting service as an event: searched again until it is there.
    const row = page.locator('.audit-table tbody tr', { hasText: 'order.note-added' })
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Search' }).click()
          await page.waitForFunction(() => !document.querySelector('.loading'))
          return row.count()
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(1)
    const text = await row.innerText()
    // Who (the owner, by name from the staff list where it answers, and id), what, and after.
    expect(text).toContain(ownerId)
    expect(text).toContain(`order ${orderId}`)
    expect(text).toContain(noteText)
    await page.screenshot({ path: join(artifacts, 'admin-audit.png'), fullPage: true })
    // Another entity's actions are not listed.
    await page.getByLabel('Entity id').fill('no-such-order')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByText('No staff actions match.').waitFor()
  }, 180_000)
})
