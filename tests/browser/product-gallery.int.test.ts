import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../e2e/process.js'
import { fetchRetryingShed, ShopClient } from '../e2e/shop-client.js'
import { adminEmails, useSharedPlatform } from './shared-platform.js'
import { launchChromium } from './shop-browser.js'

// Product media (issue 17) in Debian's headless Chromium against the embedded platform: an admin
// uploads pictures in the back office, orders them and gives them alt text; the product page
// shows them as a gallery whose chosen picture opens enlarged in a dialog. Everything goes
// through the gateway, the pictures' files included.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const adminEmail = adminEmails.productGallery
const password = 'correct horse battery staple' // ShopClient's (registerAdmin)
const slow = { timeout: 60_000 }

/** A picture of two colours, drawn by sharp and written to `path`. */
async function drawPicture(path: string, format: 'png' | 'jpeg', width: number, height: number) {
  const left = format === 'png' ? '#c0392b' : '#1f4e79'
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="${width}" height="${height}" fill="#f4d03f"/>` +
    `<rect width="${width / 2}" height="${height}" fill="${left}"/></svg>`
  writeFileSync(path, await sharp(Buffer.from(svg)).toFormat(format).toBuffer())
}

/** Whether the page's image (a locator) has loaded, and how wide it came. */
const loadedWidth = (page: Page, selector: string) =>
  page.locator(selector).evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))

describe('product pictures in a browser', () => {
  const { base, mailbox } = useSharedPlatform()
  // The pictures' files, before they are uploaded.
  const pictures = mkdtempSync(join(tmpdir(), 'emporium-gallery-'))
  const client = new ShopClient(`${base}/api/v1`)
  let browser: Browser
  let adminToken = ''

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    browser = await launchChromium()
    adminToken = (await client.registerAdmin(adminEmail, mailbox)).token
  }, 300_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    rmSync(pictures, { recursive: true, force: true })
  }, 60_000)

  it('lets an admin upload and order pictures, and a shopper zoom into them', async () => {
    const { id, name } = await client.createProduct(adminToken, 3900, 5)
    const wide = join(pictures, 'lamp-wide.png')
    const narrow = join(pictures, 'lamp-narrow.jpg')
    await drawPicture(wide, 'png', 1600, 1200)
    await drawPicture(narrow, 'jpeg', 900, 600)

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
    await page.getByLabel('Search products').fill(name)
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('button', { name: `Pictures of ${name}` }).click()
    await page.getByRole('heading', { name: `Pictures of ${name}` }).waitFor()
    await page.getByText('No pictures yet').waitFor()

    const file = page.getByLabel('Picture (JPEG, PNG or WebP, up to 5 MB)')
    await file.setInputFiles(wide)
    await page.getByLabel('Alt text', { exact: true }).fill('The lamp from the front')
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.getByText('Uploaded lamp-wide.png.').waitFor(slow)
    await file.setInputFiles(narrow)
    await page.getByLabel('Alt text', { exact: true }).fill('The lamp, lit, at night')
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.getByText('Uploaded lamp-narrow.jpg.').waitFor(slow)
    await expect.poll(() => page.locator('.media-row').count()).toBe(2)
    // The night picture first: it becomes the product's image.
    await page.getByRole('button', { name: 'Move up The lamp, lit, at night' }).click()
    await page.getByText('Order saved.').waitFor()
    await expect
      .poll(() => page.getByLabel('Alt text of picture 1').inputValue())
      .toBe('The lamp, lit, at night')
    await page.getByLabel('Alt text of picture 2').fill('The lamp from the front, unlit')
    await page.getByRole('button', { name: 'Save alt text' }).nth(1).click()
    await page.getByText('Alt text saved.').waitFor()
    await page.screenshot({ path: join(artifacts, 'admin-pictures.png'), fullPage: true })

    const read = await fetchRetryingShed(`${base}/api/v1/products/${encodeURIComponent(id)}`)
    const detail = (await read.json()) as {
      imageUrl: string
      media: { id: string; alt: string; url: string; sizes: { width: number }[] }[]
    }
    expect(detail.media.map((m) => [m.alt, m.sizes.map((s) => s.width)])).toEqual([
      ['The lamp, lit, at night', [320, 640, 900]],
      ['The lamp from the front, unlit', [320, 640, 1280]],
    ])
    expect(detail.imageUrl).toBe(detail.media[0]!.url)

    // The shop's product page: the first picture shown, the second a thumbnail away.
    await page.goto(`/products/${encodeURIComponent(id)}`)
    await page.getByRole('heading', { level: 1, name }).waitFor()
    const shown = page.locator('.gallery-shown img')
    await expect.poll(() => shown.getAttribute('alt')).toBe('The lamp, lit, at night')
    expect(await shown.getAttribute('srcset')).toMatch(/320\.webp 320w, .*640\.webp 640w/)
    await expect.poll(() => loadedWidth(page, '.gallery-shown img'), slow).toBeGreaterThan(0)
    const thumbs = page.getByRole('list', { name: `Pictures of ${name}` }).getByRole('button')
    await expect.poll(() => thumbs.count()).toBe(2)
    await page.getByRole('button', { name: 'Show The lamp from the front, unlit' }).click()
    await expect.poll(() => shown.getAttribute('alt')).toBe('The lamp from the front, unlit')
    expect(
      await page
        .getByRole('button', { name: 'Show The lamp from the front, unlit' })
        .getAttribute('aria-pressed'),
    ).toBe('true')

    // Zoom: the chosen picture at its largest, in a modal dialog that Escape closes.
    const opener = page.locator('.gallery-shown')
    await opener.click()
    const zoom = page.getByRole('dialog', { name: 'The lamp from the front, unlit, enlarged' })
    await zoom.waitFor()
    await expect.poll(() => loadedWidth(page, '.gallery-zoom img'), slow).toBe(1280)
    await page.screenshot({ path: join(artifacts, 'product-zoom.png') })
    await page.keyboard.press('Escape')
    await zoom.waitFor({ state: 'hidden' })
    // By keyboard alone: Enter opens it, focus is on Close, Enter closes, focus comes back.
    await opener.focus()
    await page.keyboard.press('Enter')
    await zoom.waitFor()
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()))
      .toBe('Close')
    await page.keyboard.press('Enter')
    await zoom.waitFor({ state: 'hidden' })
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.classList.contains('gallery-shown')))
      .toBe(true)
    await page.screenshot({ path: join(artifacts, 'product-gallery.png'), fullPage: true })

    // The files as the gateway serves them: a year's immutable cache and a 304 on a match.
    const size = `${base}${detail.media[0]!.url}`
    const first = await fetchRetryingShed(size)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('image/webp')
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const etag = first.headers.get('etag')!
    const again = await fetchRetryingShed(size, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    await context.close()
  }, 240_000)
})
