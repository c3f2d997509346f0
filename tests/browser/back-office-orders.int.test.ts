import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../e2e/process.js'
import { cards, ShopClient } from '../e2e/shop-client.js'
import { adminEmails, useSharedPlatform } from './shared-platform.js'
import { launchChromium } from './shop-browser.js'

// The back office's orders (issue 19) in Debian's headless Chromium against the embedded
// platform: staff search a shopper's orders by e-mail, open one, add an internal note, refund
// part of it and cancel another with a reason; cancellations are worded for staff in the back
// office and for the shopper in the shop (never "You cancelled" to staff, never a suspicion to
// the shopper); a shopper asks to return an item of a shipped order and staff receive it.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const adminEmail = adminEmails.backOfficeOrders
const password = 'correct horse battery staple' // ShopClient's

describe('orders in the back office, in a browser', () => {
  const { base, mailbox } = useSharedPlatform()
  const client = new ShopClient(`${base}/api/v1`)
  const shopperEmail = `shopper-${randomBytes(4).toString('hex')}@back-office-orders.example`
  let browser: Browser
  let admin: { token: string }
  let shopper: { token: string }
  let product: { id: string; name: string }
  const contexts: BrowserContext[] = []

  /** A confirmed order of the shopper's: `quantity` of the product, paid by card. */
  async function confirmedOrder(quantity: number): Promise<string> {
    await client.addToCart(shopper.token, product.id, quantity)
    const placed = await client.placeOrder(shopper.token, cards.approved)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const order = await client.waitForOrder(shopper.token, placed.body.id)
    expect(order.status).toBe('confirmed')
    return order.id
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
    page.on('dialog', (dialog) => void dialog.accept())
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
    admin = await client.registerAdmin(adminEmail, mailbox)
    shopper = await client.register(shopperEmail)
    product = await client.createProduct(admin.token, 2500, 50)
  }, 300_000)

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined)
  })

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
  }, 60_000)

  it('finds orders by e-mail, notes and refunds one, and words cancellations for each side', async () => {
    const refunded = await confirmedOrder(2)
    const byShopper = await confirmedOrder(1)
    const cancelled = await client.call(`/orders/${byShopper}/cancel`, {
      method: 'POST',
      token: shopper.token,
    })
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202)
    const byStaff = await confirmedOrder(1)
    // Another customer's order, which the search by e-mail leaves out.
    const other = await client.register()
    await client.addToCart(other.token, product.id, 1)
    expect((await client.placeOrder(other.token, cards.approved)).status).toBe(202)

    const page = await signedIn(adminEmail)
    await page.getByRole('link', { name: 'Back office' }).click()
    await page
      .getByRole('navigation', { name: 'Back office' })
      .getByRole('link', { name: 'Orders' })
      .click()
    await page.getByRole('heading', { name: 'Orders', level: 2 }).waitFor()
    await page.getByLabel('Customer e-mail').fill(shopperEmail)
    await page.getByRole('button', { name: 'Search orders' }).click()
    const rows = page.locator('.orders-table tbody tr')
    await expect.poll(() => rows.count()).toBe(3)
    expect(await rows.filter({ hasNotText: shopperEmail }).count()).toBe(0)
    // The shopper's own cancel, in staff's words.
    await rows.filter({ hasText: 'The customer cancelled this order.' }).waitFor()
    expect(await page.getByText('You cancelled this order.').count()).toBe(0)
    await page.screenshot({ path: join(artifacts, 'admin-order-search.png'), fullPage: true })

    // The staff order page: an internal note, kept.
    await page.locator(`a[href="/admin/orders/${refunded}"]`).click()
    await page.getByRole('heading', { name: /^Order #\d+$/, level: 2 }).waitFor()
    await page.getByText(shopperEmail).first().waitFor()
    const note = `Called the customer ${randomBytes(2).toString('hex')}`
    await page.getByLabel('New note').fill(note)
    await page.getByRole('button', { name: 'Add note' }).click()
    const notes = page.getByRole('region', { name: 'Internal notes' })
    await notes.getByText(note).waitFor()
    await page.reload()
    await notes.getByText(note).waitFor()
    // The payment that captured it, then a partial refund of $5.00.
    const money = page.getByRole('region', { name: 'Payments and refunds' })
    await money.locator('tr[data-payment="captured"]').waitFor()
    await money.getByLabel('Amount (USD)').fill('5.00')
    await money.getByRole('button', { name: 'Refund', exact: true }).click()
    await money.getByText(/^Refund of \$5\.00 (requested|refunded)\.$/).waitFor()
    // Payments refunds it on hearing of it: the order says so once it has.
    await expect
      .poll(
        async () => {
          await page.reload()
          await money.locator('tr[data-payment]').first().waitFor()
          return money.locator('[data-refunded]').count()
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(1)
    await money.getByText(/Refunded so far: \$5\.00/).waitFor()
    await money.locator('li[data-refund="refunded"]').waitFor()
    // The timeline: the order's events as the reporting service received them.
    const timeline = page.getByRole('region', { name: 'Timeline' })
    await expect
      .poll(
        async () => {
          await page.reload()
          await timeline.locator('ol, p').first().waitFor()
          return timeline.locator('li[data-type="order.placed"]').count()
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(1)
    await page.screenshot({ path: join(artifacts, 'admin-order-page.png'), fullPage: true })

    // Cancelled by staff with a reason and a note: staff read both.
    await page.goto(`/admin/orders/${byStaff}`)
    await page.getByLabel('Reason', { exact: true }).selectOption('fraud_suspected')
    await page.getByLabel(/^Note for staff/).fill('Card used from five countries')
    await page.getByRole('button', { name: 'Cancel order' }).click()
    await page
      .getByText('Cancelled by staff: fraud suspected. Note: Card used from five countries')
      .waitFor()

    // The shopper reads what it means for them, never the suspicion nor the note.
    const shop = await signedIn(shopperEmail)
    await shop.goto(`/orders/${byStaff}`)
    await shop.getByText('The shop cancelled this order.').waitFor()
    expect(await shop.getByText(/fraud|five countries/i).count()).toBe(0)
    await shop.goto(`/orders/${byShopper}`)
    await shop.getByText('You cancelled this order.').waitFor()
  }, 300_000)

  it('lets a shopper ask to return an item of a shipped order, and staff receive it', async () => {
    const orderId = await confirmedOrder(2)
    const shipped = await client.call(`/orders/${orderId}/ship`, {
      method: 'POST',
      token: admin.token,
    })
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200)
    const before = await client.available(product.id)

    const shop = await signedIn(shopperEmail)
    await shop.goto(`/orders/${orderId}`)
    await shop.getByRole('button', { name: 'Return items' }).click()
    const form = shop.getByRole('form', { name: 'Return items' })
    await form.getByLabel(/how many to return/).fill('1')
    await form.getByLabel('Why are you returning them?').fill('Too small')
    await form.getByRole('button', { name: 'Request the return' }).click()
    await shop.getByText('Your return request is sent.', { exact: false }).waitFor()
    await shop
      .locator('li[data-return="requested"]')
      .getByText(/please send the items back/)
      .waitFor()
    await shop.screenshot({ path: join(artifacts, 'shopper-return.png'), fullPage: true })

    // Staff receive the parcel and put the unit back in stock; the received line is refunded.
    const page = await signedIn(adminEmail)
    await page.goto(`/admin/orders/${orderId}`)
    const returns = page.getByRole('region', { name: 'Returns' })
    await returns.getByText('Reason: Too small').waitFor()
    await returns.getByRole('button', { name: 'Receive return' }).click()
    await returns.locator('li[data-return="received"], li[data-return="refunded"]').waitFor()
    await returns.getByText(`1 × ${product.name} received of 1 (restocked)`).waitFor()
    await expect.poll(() => client.available(product.id), { timeout: 60_000 }).toBe(before + 1)
    await expect
      .poll(
        async () => {
          await shop.reload()
          await shop.getByRole('heading', { name: 'Returns and refunds' }).waitFor()
          return shop.locator('li[data-refund]').count()
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(1)
    await page.screenshot({ path: join(artifacts, 'admin-return-received.png'), fullPage: true })
  }, 300_000)
})
