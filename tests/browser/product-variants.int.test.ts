import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../e2e/process.js'
import { useSharedPlatform } from './shared-platform.js'
import { fillCheckout, launchChromium, register } from './shop-browser.js'
import { fetchRetryingShed } from '../e2e/shop-client.js'

// Issue 17 in the storefront, in headless Chromium against the embedded platform: a shopper
// picks a variant of the demo catalog's T-shirt (price, stock and SKU follow the choice), buys
// two variants, and sees each named in the cart and the order.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const slow = { timeout: 30_000 }

interface Variant {
  id: string
  sku: string
  options: Record<string, string>
  label: string
  available: number
}

describe('choosing and buying a variant in the storefront', () => {
  // No other suite buys the T-shirt (accessibility's shoppers only put one in their carts), so
  // its stock moves by this suite's order alone.
  const { base } = useSharedPlatform()
  let browser: Browser
  let context: BrowserContext | undefined

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    browser = await launchChromium()
  }, 300_000)

  afterAll(async () => {
    await context?.close().catch(() => undefined)
    await browser?.close().catch(() => undefined)
  }, 60_000)

  /** The demo catalog's T-shirt (sizes and colours, XL dearer, XL / White sold out). */
  async function demoTee() {
    const list = await fetchRetryingShed(
      `${base}/api/v1/products?q=${encodeURIComponent('Emporium Classic Tee')}`,
    )
    const { items } = (await list.json()) as { items: Array<{ id: string; name: string }> }
    const found = items.find((p) => p.name === 'Emporium Classic Tee')!
    const product = await (await fetchRetryingShed(`${base}/api/v1/products/${found.id}`)).json()
    return product as { id: string; name: string; variants: Variant[] }
  }
  const variantOf = (tee: { variants: Variant[] }, label: string) =>
    tee.variants.find((v) => v.label === label)!

  /** Picks a value of an option (its label says when its variant is sold out). */
  async function choose(page: Page, option: string, value: string) {
    const label = new RegExp(`^${value}( \\(sold out\\))?$`)
    await page.getByRole('group', { name: option }).getByLabel(label).check()
  }

  it('follows the choice with price, stock and SKU, and names the variants bought', async () => {
    const tee = await demoTee()
    const xlNavy = variantOf(tee, 'XL / Navy')
    const mBlack = variantOf(tee, 'M / Black')
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base })
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    await register(page, `variants-${Date.now().toString(36)}@browser.example`, 'Vera Riant')

    await page.goto(`/products/${encodeURIComponent(tee.id)}`)
    await page.getByRole('heading', { level: 1, name: tee.name }).waitFor()
    // It opens on the first variant in stock: S / Black at the T-shirt's price.
    await expect(
      page.getByRole('group', { name: 'Size' }).getByLabel('S', { exact: true }).isChecked(),
    ).resolves.toBe(true)
    await page.locator('.price.big', { hasText: '$19.99' }).waitFor()

    await choose(page, 'Size', 'XL')
    await page.locator('.price.big', { hasText: '$22.99' }).waitFor()
    await choose(page, 'Colour', 'White')
    // XL / White is sold out: said so, and nothing to add.
    await page.getByRole('group', { name: 'Colour' }).getByLabel('White (sold out)').waitFor()
    await page.locator('article.product .stock.out', { hasText: 'Out of stock' }).waitFor()
    expect(await page.getByRole('button', { name: 'Add to cart' }).count()).toBe(0)
    await choose(page, 'Colour', 'Navy')
    const details = page.locator('article.product')
    await details.getByText(`SKU ${xlNavy.sku}`).waitFor()
    await details.getByText(`${xlNavy.available} available`).waitFor()
    await page.screenshot({ path: join(artifacts, 'product-variants.png'), fullPage: true })
    await page.getByRole('button', { name: 'Add to cart' }).click()
    await page.getByText(`Added 1 × ${tee.name} (XL / Navy) to your cart.`).waitFor()

    await choose(page, 'Size', 'M')
    await choose(page, 'Colour', 'Black')
    await page.locator('.price.big', { hasText: '$19.99' }).waitFor()
    await page.getByLabel('Quantity').fill('2')
    await page.getByRole('button', { name: 'Add to cart' }).click()
    await page.getByText(`Added 2 × ${tee.name} (M / Black) to your cart.`).waitFor()

    // The cart: a line per variant, each named, each changed on its own.
    await page.getByRole('link', { name: /^Cart/ }).click()
    await page.getByRole('heading', { name: 'Your cart' }).waitFor()
    await page.locator('.line', { hasText: 'XL / Navy' }).waitFor()
    await page.locator('.line', { hasText: 'M / Black' }).waitFor()
    await page.getByLabel(`Quantity of ${tee.name} (M / Black)`).fill('1')
    await page
      .locator('.line', { hasText: 'M / Black' })
      .getByRole('button', { name: 'Update' })
      .click()
    await page.getByText('Subtotal (2 items)').waitFor()
    await expect.poll(() => page.locator('.subtotal').innerText(), slow).toContain('$42.98')
    await page.screenshot({ path: join(artifacts, 'cart-variants.png'), fullPage: true })

    await page.getByRole('link', { name: 'Checkout' }).click()
    await page.getByRole('heading', { name: 'Checkout' }).waitFor()
    await fillCheckout(page, '4242 4242 4242 4242')
    await page.getByRole('button', { name: /Place order/ }).click()
    await page.waitForURL(/\/orders\/[^/]+$/, slow)
    await page.locator('[data-status="confirmed"]').waitFor(slow)
    await page.getByRole('cell', { name: `${tee.name} (XL / Navy)` }).waitFor()
    await page.getByRole('cell', { name: `${tee.name} (M / Black)` }).waitFor()
    await page.screenshot({ path: join(artifacts, 'order-variants.png'), fullPage: true })

    // Only the variants bought left the stock.
    await expect
      .poll(async () => {
        const after = await demoTee()
        return [variantOf(after, 'XL / Navy').available, variantOf(after, 'M / Black').available]
      }, slow)
      .toEqual([xlNavy.available - 1, mBlack.available - 1])
    const untouched = variantOf(tee, 'L / White')
    expect(variantOf(await demoTee(), 'L / White').available).toBe(untouched.available)
  }, 180_000)
})
