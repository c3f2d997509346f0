import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes, randomUUID } from 'node:crypto'
import type { Order } from '@emporium/sdk'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../e2e/process.js'
import { cards, ShopClient } from '../e2e/shop-client.js'
import { axeViolations } from './axe.js'
import { adminEmails, useSharedPlatform } from './shared-platform.js'
import { launchChromium } from './shop-browser.js'

// The back office's customers (issue 19) with data, in Debian's headless Chromium against the
// embedded platform: three shoppers registered through the API, two of them with orders (one
// partly refunded) and one with saved addresses; the customers list shows them, a search by
// e-mail or name narrows it to one, and a customer's page shows their orders, addresses and
// lifetime value (captured − refunded, as the reporting service counts it). axe checks the pages.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const adminEmail = adminEmails.backOfficeCustomers
const password = 'correct horse battery staple' // ShopClient's
const usd = (minor: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100)

interface Shopper {
  email: string
  name: string
  token: string
  userId: string
  orders: Order[]
}

describe('customers in the back office, with data, in a browser', () => {
  const { base, mailbox } = useSharedPlatform()
  const client = new ShopClient(`${base}/api/v1`)
  const run = randomBytes(3).toString('hex')
  let browser: Browser
  let current: Page | undefined
  const contexts: BrowserContext[] = []
  let adminToken = ''
  // Registered in this order: the list is newest first.
  let ada: Shopper
  let grace: Shopper
  let linus: Shopper

  /** A shopper of this run, registered with a name of their own. */
  async function shopper(first: string, last: string): Promise<Shopper> {
    const email = `${first.toLowerCase()}-${run}@back-office-customers.example`
    const name = `${first} ${last}`
    const registered = await client.call('/auth/register', { body: { email, password, name } })
    expect(registered.status, JSON.stringify(registered.body)).toBe(201)
    return {
      email,
      name,
      token: registered.body.accessToken,
      userId: registered.body.user.id,
      orders: [],
    }
  }

  /** A confirmed order of `who`: `quantity` of the product, paid by card. */
  async function confirmedOrder(who: Shopper, productId: string, quantity: number) {
    await client.addToCart(who.token, productId, quantity)
    const placed = await client.placeOrder(who.token, cards.approved)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    who.orders.push(
      await client.waitForOrder(who.token, placed.body.id, (o) => o.status === 'confirmed'),
    )
  }

  async function signedIn(email: string): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      baseURL: base,
    })
    contexts.push(context)
    const page = await context.newPage()
    // Below the test's own limit, so that a step that never comes names its locator.
    page.setDefaultTimeout(45_000)
    current = page
    await page.goto('/signin')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: /Sign out/ }).waitFor()
    return page
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    browser = await launchChromium()
    adminToken = (await client.registerAdmin(adminEmail, mailbox)).token
    const product = await client.createProduct(adminToken, 2000, 50)

    ada = await shopper('Ada', 'Lovelace')
    grace = await shopper('Grace', 'Hopper')
    linus = await shopper('Linus', 'Pauling')
    // Ada: two addresses (the second her default) and two orders, the first refunded in part.
    for (const [label, line1, isDefault] of [
      ['Home', `12 Analytical Row ${run}`, false],
      ['Work', `1 Engine Yard ${run}`, true],
    ] as const) {
      const saved = await client.call('/users/me/addresses', {
        token: ada.token,
        body: {
          label,
          name: ada.name,
          line1,
          city: 'London',
          postalCode: 'N1 9GU',
          country: 'GB',
          isDefault,
        },
      })
      expect(saved.status, JSON.stringify(saved.body)).toBe(201)
    }
    await confirmedOrder(ada, product.id, 1)
    await confirmedOrder(ada, product.id, 3)
    const refund = await client.call(`/orders/${ada.orders[0]!.id}/refunds`, {
      token: adminToken,
      body: { amount: { amount: 500, currency: 'USD' }, reason: 'damaged' },
      headers: { 'idempotency-key': randomUUID() },
    })
    expect(refund.status, JSON.stringify(refund.body)).toBe(202)
    // Grace: one order; Linus: none.
    await confirmedOrder(grace, product.id, 2)
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && current) {
      const file = `back-office-customers-failed-${task.name.replace(/\W+/g, '-')}.png`
      await current.screenshot({ path: join(artifacts, file), fullPage: true }).catch(() => {})
    }
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined)
  })

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
  }, 60_000)

  it('lists the customers newest first, and a search by e-mail or name narrows the list', async () => {
    const page = await signedIn(adminEmail)
    await page.getByRole('link', { name: 'Back office' }).click()
    await page
      .getByRole('navigation', { name: 'Back office' })
      .getByRole('link', { name: 'Customers' })
      .click()
    await page.getByRole('heading', { name: 'Customers', level: 2 }).waitFor()
    const rows = page.locator('.customers-table tbody tr')
    await rows.first().waitFor()
    expect(await axeViolations(page)).toEqual([])

    // Every shopper of the run, by the part of the address they share, the newest first. (The
    // whole list's first rows are whoever registered last on the shared platform.)
    const search = page.getByLabel('Search customers (e-mail or name)')
    await search.fill(`-${run}@`)
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await expect.poll(() => rows.count()).toBe(3)
    expect(new URL(page.url()).searchParams.get('q')).toBe(`-${run}@`)
    const names = await rows.locator('td:first-child').allInnerTexts()
    expect(names.map((name) => name.trim())).toEqual([linus.name, grace.name, ada.name])

    // One shopper by e-mail, whatever its case.
    await search.fill(grace.email.toUpperCase())
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await expect.poll(() => rows.count()).toBe(1)
    expect(await rows.first().innerText()).toContain(grace.email)
    expect(await rows.first().innerText()).toContain(grace.name)
    // The admin is listed too.
    await search.fill(adminEmail)
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await rows.filter({ hasText: adminEmail }).waitFor()
    expect(await rows.count()).toBe(1)
    // One by name.
    await search.fill('Lovelace')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await rows.filter({ hasText: ada.email }).waitFor()
    expect(await rows.count()).toBe(1)
    // None.
    await search.fill(`nobody-${run}`)
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText('No customers match.').waitFor()
    expect(await rows.count()).toBe(0)
    await page.screenshot({ path: join(artifacts, 'admin-customers.png'), fullPage: true })
  }, 240_000)

  it("shows a customer's orders, addresses and lifetime value (captured − refunded)", async () => {
    const page = await signedIn(adminEmail)
    await page.goto(`/admin/customers?q=${encodeURIComponent(ada.email)}`)
    await page.getByRole('link', { name: ada.name }).click()
    await page.getByRole('heading', { name: ada.name, level: 2 }).waitFor()
    expect(new URL(page.url()).pathname).toBe(`/admin/customers/${ada.userId}`)
    await page.getByText(ada.email, { exact: false }).first().waitFor()

    // Her orders, newest first, by number, each linking to the staff order page.
    const orders = page.locator('section[aria-labelledby="customer-orders"]')
    const items = orders.locator('li')
    await expect.poll(() => items.count()).toBe(2)
    const newestFirst = [...ada.orders].reverse()
    for (const [index, order] of newestFirst.entries()) {
      const text = await items.nth(index).innerText()
      expect(text).toContain(`Order #${order.number}`)
      expect(text).toContain(usd(order.total.amount))
      expect(await items.nth(index).locator(`a[href="/admin/orders/${order.id}"]`).count()).toBe(1)
    }

    // Her addresses, the default first.
    const addresses = page.locator('section[aria-labelledby="customer-addresses"] li')
    expect(await addresses.count()).toBe(2)
    expect(await addresses.nth(0).innerText()).toMatch(
      new RegExp(`^Work: .*1 Engine Yard ${run}.*London.*\\(default\\)`),
    )
    expect(await addresses.nth(1).innerText()).toContain(`Home: ${ada.name}, 12 Analytical Row`)

    // Her value: both orders captured, less the refund. The payments reach the reporting service
    // as events: the page is read again until it counts them.
    const captured = ada.orders.reduce((sum, order) => sum + order.total.amount, 0)
    const lifetime = page.locator('[data-lifetime-value]')
    await expect
      .poll(
        async () => {
          await page.reload()
          await page.getByRole('heading', { name: ada.name, level: 2 }).waitFor()
          await page.waitForFunction(() => !document.querySelector('.loading'))
          return lifetime.innerText()
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe(usd(captured - 500))
    const figures = await page.locator('.customer-figures').innerText()
    expect(figures).toMatch(/Orders\s+2\b/)
    expect(figures).toMatch(new RegExp(`Refunded\\s+${usd(500).replace('$', '\\$')}`))
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: join(artifacts, 'admin-customer-page.png'), fullPage: true })

    // Another customer's page shows theirs only: Grace's one order, no addresses.
    await page.goto(`/admin/customers/${grace.userId}`)
    await page.getByRole('heading', { name: grace.name, level: 2 }).waitFor()
    await expect.poll(() => items.count()).toBe(1)
    expect(await items.first().innerText()).toContain(`Order #${grace.orders[0]!.number}`)
    await page.getByText('No saved addresses.').waitFor()

    // A customer without orders: none, and a value of nothing.
    await page.goto(`/admin/customers/${linus.userId}`)
    await page.getByRole('heading', { name: linus.name, level: 2 }).waitFor()
    await orders.getByText('No orders.').waitFor()
    await page.waitForFunction(() => !document.querySelector('.loading'))
    expect(await page.locator('.customer-figures').innerText()).toMatch(/Orders\s+0\b/)
    expect(await axeViolations(page)).toEqual([])
  }, 240_000)
})
