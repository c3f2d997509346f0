import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../e2e/process.js'
import { useSharedPlatform } from './shared-platform.js'
import { launchChromium } from './shop-browser.js'
import { fetchRetryingShed } from '../e2e/shop-client.js'

// Issue 17's search that forgives, as a shopper types it into the storefront's search field,
// in Debian's headless Chromium against the embedded platform (`npm start`, PGlite with
// pg_trgm): suggestions of a prefix as they type, a search with a typo (and suggestions for a
// misspelling), the facet counts.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const slow = { timeout: 60_000 }

interface Suggestion {
  id: string
  name: string
}

describe('search that forgives in the storefront (issue 17)', () => {
  const { base } = useSharedPlatform()
  let browser: Browser
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    browser = await launchChromium()
  }, 300_000)

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined)
    await browser?.close().catch(() => undefined)
  }, 60_000)

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      baseURL: base,
    })
    contexts.push(context)
    const page = await context.newPage()
    // Generous: CI is a busy two-core machine.
    page.setDefaultTimeout(30_000)
    return page
  }

  /**
   * Opens `path`, again while the gateway sheds the page (503, the platform busy on a loaded
   * machine, seeding its demo catalog just after it is ready): up to a minute.
   */
  async function open(page: Page, path: string): Promise<void> {
    const deadline = Date.now() + 60_000
    for (;;) {
      const response = await page.goto(path)
      if (response?.status() !== 503 || Date.now() > deadline) {
        expect(response?.status()).toBe(200)
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }

  /** The API's answer to `path`, again while the gateway sheds it (as `open`). */
  async function getJson<T>(path: string): Promise<T> {
    const deadline = Date.now() + 60_000
    for (;;) {
      const response = await fetchRetryingShed(`${base}${path}`)
      if (response.status !== 503 || Date.now() > deadline) {
        expect(response.status).toBe(200)
        return (await response.json()) as T
      }
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }

  const suggestionsOf = async (q: string) =>
    (
      await getJson<{ items: Suggestion[] }>(
        `/api/v1/products/suggestions?q=${encodeURIComponent(q)}&limit=8`,
      )
    ).items

  it('suggests products as a prefix is typed, and opens the one chosen with the keyboard', async () => {
    // A prefix of a word of the demo catalog's names: "Hand" of "Handmade".
    const prefix = 'hand'
    const expected = await suggestionsOf(prefix)
    expect(expected.length).toBeGreaterThan(0)
    const page = await newPage()
    try {
      await open(page, '/products')
      const field = page.getByRole('combobox', { name: 'Search' })
      await field.pressSequentially(prefix, { delay: 30 })
      const options = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option')
      await expect.poll(() => options.count(), slow).toBe(expected.length)
      const first = options.first()
      await expect.poll(() => first.textContent(), slow).toContain(expected[0]!.name)
      for (const text of await options.allTextContents()) {
        expect(text).toMatch(/\bhand/i)
      }
      expect(await field.getAttribute('aria-expanded')).toBe('true')
      await field.press('ArrowDown')
      expect(await field.getAttribute('aria-activedescendant')).toBe(await first.getAttribute('id'))
      expect(await first.getAttribute('aria-selected')).toBe('true')
      await field.press('Enter')
      await page.waitForURL(`**/products/${encodeURIComponent(expected[0]!.id)}`, slow)
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent(), slow)
        .toBe(expected[0]!.name)
    } catch (error) {
      await page.screenshot({ path: join(artifacts, 'search-suggestions.png') })
      throw error
    }
  }, 120_000)

  it('finds products for a search with a typo, and counts them beside the filters', async () => {
    const page = await newPage()
    try {
      await open(page, '/products')
      // "hamdmade": no word of the catalog, a typo of "handmade" (spelling correction; pg_trgm,
      // loaded by PGlite, would find it too).
      const field = page.getByRole('combobox', { name: 'Search' })
      await field.fill('hamdmade')
      await field.press('Enter')
      await page.waitForURL('**/products?q=hamdmade', slow)
      // The earlier list stays while the search loads: wait for the search's.
      const names = page.locator('.grid li h3')
      await expect
        .poll(async () => {
          const shown = await names.allTextContents()
          return shown.length > 0 && shown.every((name) => /handmade/i.test(name))
        }, slow)
        .toBe(true)
      // The shop says what it searched instead: the spelling corrected.
      await expect
        .poll(() => page.locator('.corrected').textContent(), slow)
        .toBe('Showing results for handmade')
      // The facets describe the same list: its count, and each price band's.
      const facets = await getJson<{ total: number; priceBands: Array<{ count: number }> }>(
        '/api/v1/products/facets?q=hamdmade',
      )
      expect(facets.total).toBeGreaterThan(0)
      await expect
        .poll(() => page.locator('.facet-summary').textContent(), slow)
        .toMatch(new RegExp(`^${facets.total} products?,`))
      const bands = page.getByRole('list', { name: 'Price bands' }).getByRole('button')
      expect(await bands.allTextContents()).toEqual(
        expect.arrayContaining([expect.stringMatching(/^Under \$10\.00 \(\d+\)$/)]),
      )
      const counts = (await bands.allTextContents()).map((t) => Number(/\((\d+)\)$/.exec(t)![1]))
      expect(counts).toEqual(facets.priceBands.map((b) => b.count))
      // Two letters swapped, which trigram likeness misses (0.2) and spelling correction does
      // not: "lmap" suggests the demo's desk lamps.
      await field.fill('')
      await field.pressSequentially('lmap', { delay: 30 })
      const options = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option')
      await expect
        .poll(async () => {
          const shown = await options.allTextContents()
          return shown.length > 0 && shown.every((text) => /\blamp/i.test(text))
        }, slow)
        .toBe(true)
    } catch (error) {
      await page.screenshot({ path: join(artifacts, 'search-typo.png') })
      throw error
    }
  }, 120_000)
})
