import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../e2e/process.js'
import { fetchRetryingShed, ShopClient } from '../e2e/shop-client.js'
import { adminEmails, useSharedPlatform } from './shared-platform.js'
import { launchChromium } from './shop-browser.js'

// Catalogue tools of the back office (issue 17) in Debian's headless Chromium against the
// embedded platform (its ~1,000 demo products): an admin creates a category, a draft product in
// it that the shop does not show, publishes it so that it does, and pages the product list past
// its first 50. The shop's side is read as a shopper reads it: through the gateway, no token.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const adminEmail = adminEmails.backOfficeCatalogue
const password = 'correct horse battery staple' // ShopClient's (registerAdmin)

interface Listed {
  id: string
  name: string
}

describe('catalogue tools of the back office in a browser', () => {
  const { base, mailbox } = useSharedPlatform()
  const client = new ShopClient(`${base}/api/v1`)
  let browser: Browser
  let adminToken = ''

  /** What a shopper finds: the category's list and the product's own read. */
  async function shopperSees(slug: string, name: string) {
    const listed = await fetchRetryingShed(
      `${base}/api/v1/products?category=${encodeURIComponent(slug)}`,
    )
    const items = ((await listed.json()) as { items: Listed[] }).items
    const searched = await fetchRetryingShed(
      `${base}/api/v1/products?q=${encodeURIComponent(name)}`,
    )
    return {
      inCategory: items.map((p) => p.name),
      searched: ((await searched.json()) as { items: Listed[] }).items.map((p) => p.name),
    }
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    browser = await launchChromium()
    adminToken = (await client.registerAdmin(adminEmail, mailbox)).token
  }, 300_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
  }, 60_000)

  it('creates a category and a draft in it, publishes it, and pages past 50 products', async () => {
    const run = randomBytes(3).toString('hex')
    const categoryName = `Reading lights ${run}`
    const slug = `reading-lights-${run}`
    const name = `Banker lamp ${run}`
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      baseURL: base,
    })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    await page.goto('/signin')
    await page.getByLabel('Email').fill(adminEmail)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Back office' }).click()
    await page.getByRole('heading', { name: 'Back office' }).waitFor()

    // A category: its slug suggested from its name.
    const nav = page.getByRole('navigation', { name: 'Back office' })
    await nav.getByRole('link', { name: 'Categories' }).click()
    await page.getByRole('heading', { name: 'Categories', level: 2 }).waitFor()
    await page.getByLabel('Name').fill(categoryName)
    expect(await page.getByLabel('Slug').inputValue()).toBe(slug)
    await page.getByRole('button', { name: 'Create category' }).click()
    await page.getByText(`Created ${categoryName}.`).waitFor()
    await page.getByRole('button', { name: `Edit ${categoryName}` }).waitFor()
    // The same slug again is refused, with the API's message.
    await page.getByLabel('Name').fill(`${categoryName} again`)
    await page.getByLabel('Slug').fill(slug)
    await page.getByRole('button', { name: 'Create category' }).click()
    await page.getByText(/another category/i).waitFor()
    await page.screenshot({ path: join(artifacts, 'admin-categories.png'), fullPage: true })
    const categories = await fetchRetryingShed(`${base}/api/v1/categories`)
    const category = (
      (await categories.json()) as { items: { id: string; slug: string }[] }
    ).items.find((c) => c.slug === slug)!
    expect(category).toBeDefined()

    // A product in it, a draft as the back office makes them: the shop does not show it.
    await nav.getByRole('link', { name: 'Products & stock' }).click()
    await page.getByRole('button', { name: 'New product' }).click()
    await page.getByLabel('SKU').fill(`BO-${run}`.toUpperCase())
    await page.getByLabel('Name').fill(name)
    await page.getByLabel('Description').fill('A green-shaded desk lamp.')
    await page.getByLabel('Price (USD)').fill('89.00')
    await page.getByLabel('Category').selectOption(category.id)
    await page.getByLabel('Initial stock on hand').fill('4')
    expect(await page.getByLabel('Status').inputValue()).toBe('draft')
    await page.getByRole('button', { name: 'Create product' }).click()
    await page.getByText(`Created ${name}.`).waitFor()
    expect(await shopperSees(slug, name)).toEqual({ inCategory: [], searched: [] })

    await page.getByLabel('Show').selectOption('draft')
    const row = page.locator('.admin-list > li', { hasText: name })
    await row.getByText('Draft', { exact: true }).waitFor()
    await page.screenshot({ path: join(artifacts, 'admin-draft.png'), fullPage: true })
    await page.getByRole('button', { name: `Publish ${name}` }).click()
    await page.getByText(`Published ${name}.`).waitFor()
    expect(await shopperSees(slug, name)).toEqual({ inCategory: [name], searched: [name] })
    // The shop's category page lists it.
    const shop = await context.newPage()
    await shop.goto(`/products?category=${slug}`)
    await shop.getByRole('link', { name }).first().waitFor()
    await shop.close()

    // Every product, 50 at a time: the second page follows the first, none twice.
    await page.getByLabel('Show').selectOption('all')
    const rows = page.locator('.admin-list > li')
    await expect.poll(() => rows.count()).toBe(50)
    await page.getByRole('button', { name: 'Load more products' }).click()
    await expect.poll(() => rows.count()).toBe(100)
    await page.getByText('Showing 100 products.').waitFor()
    const skus = await page.locator('.admin-row > span:first-child > .muted').allInnerTexts()
    expect(new Set(skus).size).toBe(100)
    // Newest first, this product among them. Other suites on the shared platform make products
    // at any time, so it need not be the first: each product listed is no newer than the one
    // above it (when each was made, as the API has it now; one deleted since is passed over).
    expect(skus).toContain(`BO-${run}`.toUpperCase())
    const madeAt = new Map<string, number>()
    let cursor = ''
    // The API's newest 200: the 100 listed, and up to as many made since.
    for (let round = 0; round < 2; round++) {
      const newest = await client.call<{
        items: { sku: string; createdAt: string }[]
        nextCursor: string | null
      }>(`/products?status=all&limit=100${cursor && `&cursor=${encodeURIComponent(cursor)}`}`, {
        token: adminToken,
      })
      expect(newest.status, JSON.stringify(newest.body)).toBe(200)
      for (const p of newest.body.items) madeAt.set(p.sku, Date.parse(p.createdAt))
      cursor = newest.body.nextCursor ?? ''
    }
    const times = skus.flatMap((sku) => madeAt.get(sku) ?? [])
    expect(times.length).toBeGreaterThan(90)
    expect(times).toEqual([...times].sort((a, b) => b - a))
    await context.close()
  }, 300_000)
})
