import { mkdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../e2e/process.js'
import { ShopClient } from '../e2e/shop-client.js'
import { useSharedPlatform } from './shared-platform.js'
import { launchChromium, productsInStock, type ProductSummary } from './shop-browser.js'

// A shopper's account in the storefront (issue 18), in Debian's headless Chromium against the
// embedded platform: a forgotten password reset through the e-mailed link, the address book,
// and the checkout choosing a saved address or keeping a new one as a draft across a reload.
const artifacts = join(repoRoot, 'tests/browser/artifacts')
const password = 'correct horse battery staple' // ShopClient's
// The machine is shared: a test's steps may each take seconds.
const slow = { timeout: 240_000 }

interface SavedAddress {
  id: string
  label: string | null
  name: string
  line1: string
  city: string
  postalCode: string
  country: string
  isDefault: boolean
}

interface Mail {
  to: string
  text: string
}

/**
 * The token of the newest password reset link mailed to `email` (one JSON message a line in
 * the `file:` sender's mailbox), once there are more than `seen` of them.
 */
async function resetToken(mailbox: string, email: string, seen = 0): Promise<string> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const text = await readFile(mailbox, 'utf8').catch(() => '')
    // Whole lines only: the sender may be halfway through appending the last one.
    const tokens = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Mail)
      .filter((m) => m.to === email.toLowerCase())
      .map((m) => /\/reset-password#token=([A-Za-z0-9_-]+)/.exec(m.text)?.[1])
      .filter((t): t is string => t !== undefined)
    if (tokens.length > seen) return tokens.at(-1)!
    if (Date.now() > deadline) throw new Error(`no reset e-mail for ${email} in ${mailbox}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe("a shopper's account in the storefront", () => {
  const { base, mailbox } = useSharedPlatform()
  const run = Date.now().toString(36)
  const client = new ShopClient(`${base}/api/v1`)
  let browser: Browser
  const contexts: BrowserContext[] = []
  let current: Page | undefined
  let product: ProductSummary

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    browser = await launchChromium()
    const books = await productsInStock(base, 'category=books&sort=price_asc')
    product = books[0]!
    expect(product).toBeDefined()
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !current) return
    mkdirSync(artifacts, { recursive: true })
    const file = `accounts-failed-${task.name.replace(/\W+/g, '-')}.png`
    await current.screenshot({ path: join(artifacts, file), fullPage: true }).catch(() => undefined)
  })

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
    // Below the test's own limit, so that a step that never comes names its locator.
    page.setDefaultTimeout(45_000)
    current = page
    return page
  }

  async function signIn(page: Page, email: string, secret = password): Promise<void> {
    await page.goto('/signin')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(secret)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: /Sign out/ }).waitFor()
  }

  /** Waits for the page to say `text`; an alert shown instead fails the test with its words. */
  async function said(page: Page, text: string): Promise<void> {
    const status = page.getByRole('status').filter({ hasText: text })
    const alert = page.getByRole('alert')
    await status.or(alert).first().waitFor()
    if (await status.count()) return
    throw new Error(`instead of "${text}", the page says: ${await alert.first().textContent()}`)
  }

  async function addresses(token: string): Promise<SavedAddress[]> {
    const reply = await client.call<{ items: SavedAddress[] }>('/users/me/addresses', { token })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    return reply.body.items
  }

  async function saveAddress(token: string, body: Record<string, unknown>): Promise<SavedAddress> {
    const reply = await client.call<SavedAddress>('/users/me/addresses', { token, body })
    expect(reply.status, JSON.stringify(reply.body)).toBe(201)
    return reply.body
  }

  it(
    'resets a forgotten password through the e-mailed link, once',
    async () => {
      const email = `forgetful-${run}@accounts.example`
      await client.register(email)
      const page = await newPage()

      await page.goto('/signin')
      await page.getByRole('link', { name: 'Forgot your password?' }).click()
      await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor()
      // An address with no account gets the same answer as one with an account.
      await page.getByLabel('Email').fill(`nobody-${run}@accounts.example`)
      await page.getByRole('button', { name: 'Send the link' }).click()
      const said = page.getByRole('status').filter({ hasText: 'If an account exists' })
      await said.waitFor()
      const unknownAnswer = await said.textContent()
      await page.goto('/forgot-password')
      await page.getByLabel('Email').fill(email.toUpperCase())
      await page.getByRole('button', { name: 'Send the link' }).click()
      await said.waitFor()
      expect(await said.textContent()).toBe(unknownAnswer)
      expect(unknownAnswer).toContain(
        "If an account exists for that address, we've sent a link to reset its password.",
      )

      const token = await resetToken(mailbox, email)
      await page.goto(`/reset-password#token=${token}`)
      await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor()
      // The token is read once and kept out of the address bar and the history.
      await page.waitForFunction(() => location.hash === '')
      expect(page.url()).toBe(`${base}/reset-password`)

      // Two different passwords: said so, nothing sent.
      await page.getByLabel('New password', { exact: true }).fill('purple otter saxophone')
      await page.getByLabel('Confirm new password').fill('purple otter saxophones')
      await page.getByRole('button', { name: 'Set the new password' }).click()
      await page.getByRole('alert').filter({ hasText: 'The two passwords differ' }).waitFor()
      // A password the policy refuses: the API's problem, in words.
      await page.getByLabel('New password', { exact: true }).fill('aaaaaaaaaaaaaa')
      await page.getByLabel('Confirm new password').fill('aaaaaaaaaaaaaa')
      await page.getByRole('button', { name: 'Set the new password' }).click()
      const refused = page.getByRole('alert').filter({ hasNotText: 'The two passwords differ' })
      await refused.waitFor()
      expect(await refused.textContent()).not.toContain('/body')

      await page.getByLabel('New password', { exact: true }).fill('purple otter saxophone')
      await page.getByLabel('Confirm new password').fill('purple otter saxophone')
      await page.getByRole('button', { name: 'Set the new password' }).click()
      await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor()

      // The old password no longer signs in; the new one does, from the page's own link.
      const old = await client.call('/auth/login', { body: { email, password } })
      expect(old.status).toBe(401)
      await page.getByRole('status').getByRole('link', { name: 'Sign in' }).click()
      await page.getByLabel('Email').fill(email)
      await page.getByLabel('Password').fill('purple otter saxophone')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('button', { name: /Sign out/ }).waitFor()

      // The link works once.
      await page.goto(`/reset-password#token=${token}`)
      await page.getByLabel('New password', { exact: true }).fill('another fine password')
      await page.getByLabel('Confirm new password').fill('another fine password')
      await page.getByRole('button', { name: 'Set the new password' }).click()
      await page.getByRole('alert').filter({ hasText: 'This reset link cannot be used' }).waitFor()
      await page.getByRole('link', { name: 'Ask for a new link' }).click()
      await page.waitForURL(`${base}/forgot-password`)

      // A link without its token says so, with no form to fill.
      await page.goto('/reset-password')
      await page.getByRole('alert').filter({ hasText: 'This link has no token' }).waitFor()
      expect(await page.getByLabel('New password', { exact: true }).count()).toBe(0)
    },
    slow.timeout,
  )

  it(
    'keeps an address book: add, edit, make default, delete, and says when it is full',
    async () => {
      const email = `addresses-${run}@accounts.example`
      const shopper = await client.register(email)
      const page = await newPage()
      await signIn(page, email)

      await page.getByRole('link', { name: 'Addresses' }).click()
      await page.getByRole('heading', { level: 1, name: 'Your addresses' }).waitFor()
      await page.getByText('Your address book is empty.').waitFor()

      // The first address: labelled, in Germany (a country chosen by its name).
      await page.getByRole('button', { name: 'Add an address' }).click()
      await page.getByLabel('Label (optional, e.g. Home or Work)').fill('Home')
      await page.getByLabel('Full name').fill('Ada Shopper')
      await page.getByLabel('Address', { exact: true }).fill('Hauptstraße 1')
      await page.getByLabel('City').fill('Berlin')
      await page.getByLabel('Postal code').fill('10115')
      const country = page.getByLabel('Country')
      expect(await country.inputValue()).toBe('US')
      expect(await country.locator('option[value="DE"]').textContent()).toBe('Germany')
      await country.selectOption({ label: 'Germany' })
      await page.getByRole('button', { name: 'Add address' }).click()
      await said(page, 'Home is added.')
      await expect.poll(() => page.locator('.address-card').count(), { timeout: 20_000 }).toBe(1)
      let saved = await addresses(shopper.token)
      expect(saved).toMatchObject([
        { label: 'Home', name: 'Ada Shopper', city: 'Berlin', country: 'DE', isDefault: true },
      ])

      // A second one, unlabelled, in France.
      await page.getByRole('button', { name: 'Add an address' }).click()
      await page.getByLabel('Full name').fill('Ada at work')
      await page.getByLabel('Address', { exact: true }).fill('2 rue de la Paix')
      await page.getByLabel('City').fill('Paris')
      await page.getByLabel('Postal code').fill('75002')
      await page.getByLabel('Country').selectOption('FR')
      await page.getByRole('button', { name: 'Add address' }).click()
      const work = 'Ada at work, 2 rue de la Paix'
      await said(page, `${work} is added.`)
      await page.getByRole('button', { name: `Make default ${work}` }).click()
      await said(page, 'is now your default address')
      saved = await addresses(shopper.token)
      expect(saved.map((a) => [a.city, a.isDefault])).toEqual([
        ['Paris', true],
        ['Berlin', false],
      ])
      // The default is listed first, with its badge.
      await expect
        .poll(() => page.locator('.address-card').first().textContent(), { timeout: 20_000 })
        .toMatch(/Default.*Paris/)
      await page.screenshot({ path: join(artifacts, 'address-book.png'), fullPage: true })

      // Edit: the form holds the address as saved.
      await page.getByRole('button', { name: 'Edit Home' }).click()
      await expect.poll(() => page.getByLabel('City').inputValue(), slow).toBe('Berlin')
      await expect.poll(() => page.getByLabel('Country').inputValue(), slow).toBe('DE')
      await page.getByLabel('City').fill('Potsdam')
      await page.getByLabel('Postal code').fill('14467')
      await page.getByRole('button', { name: 'Save address' }).click()
      await said(page, 'Home is saved.')
      saved = await addresses(shopper.token)
      expect(saved.find((a) => a.label === 'Home')).toMatchObject({
        city: 'Potsdam',
        postalCode: '14467',
        country: 'DE',
      })

      // Delete.
      await page.getByRole('button', { name: `Delete ${work}` }).click()
      await said(page, `${work} is deleted.`)
      saved = await addresses(shopper.token)
      expect(saved.map((a) => a.label)).toEqual(['Home'])
      await expect.poll(() => page.locator('.address-card').count(), { timeout: 20_000 }).toBe(1)

      // A full book (20): the API's problem is said beside the form.
      for (let i = saved.length; i < 20; i++) {
        await saveAddress(shopper.token, {
          name: `Filler ${i}`,
          line1: `${i} Filler Road`,
          city: 'Springfield',
          postalCode: '12345',
          country: 'US',
        })
      }
      await page.reload()
      await page.locator('.address-card').nth(19).waitFor()
      await page.getByRole('button', { name: 'Add an address' }).click()
      await page.getByLabel('Full name').fill('One too many')
      await page.getByLabel('Address', { exact: true }).fill('21 Filler Road')
      await page.getByLabel('City').fill('Springfield')
      await page.getByLabel('Postal code').fill('12345')
      await page.getByRole('button', { name: 'Add address' }).click()
      const form = page.locator('form.address-form')
      await form.getByRole('alert').filter({ hasText: 'Your address book is full' }).waitFor()
      expect(await addresses(shopper.token)).toHaveLength(20)
    },
    slow.timeout,
  )

  it(
    'checks out to the default saved address, or to a new one kept across a reload and saved',
    async () => {
      const email = `checkout-${run}@accounts.example`
      const shopper = await client.register(email)
      const home = await saveAddress(shopper.token, {
        label: 'Home',
        name: 'Ada Shopper',
        line1: 'Hauptstraße 1',
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
        isDefault: true,
      })
      await saveAddress(shopper.token, {
        label: 'Work',
        name: 'Ada at work',
        line1: '2 rue de la Paix',
        city: 'Paris',
        postalCode: '75002',
        country: 'FR',
      })
      const page = await newPage()
      await signIn(page, email)

      // The default address is chosen already: only the card to fill.
      await client.addToCart(shopper.token, product.id, 1)
      await page.goto('/checkout')
      const homeChoice = page.getByRole('radio', { name: /^Home/ })
      await homeChoice.waitFor()
      expect(await homeChoice.isChecked()).toBe(true)
      expect(await page.getByRole('radio', { name: /^Work/ }).isChecked()).toBe(false)
      expect(await page.getByLabel('Full name').count()).toBe(0)
      await page.screenshot({ path: join(artifacts, 'checkout-saved-address.png'), fullPage: true })
      await page.getByLabel('Card number').fill('4242 4242 4242 4242')
      await page.getByLabel('Expiry month').fill('12')
      await page.getByLabel('CVC').fill('123')
      await page.getByRole('button', { name: /^Place order/ }).click()
      await page.waitForURL(/\/orders\/[^/]+$/)
      const first = await client.order(shopper.token, page.url().split('/').pop()!)
      expect(first.shippingAddress).toMatchObject({
        name: home.name,
        line1: home.line1,
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
      })

      // A new address, typed with a card, then the page reloaded: the address is kept, the
      // card is not, and nothing of the card is in the tab's storage.
      await client.addToCart(shopper.token, product.id, 1)
      await page.goto('/checkout')
      await page.getByRole('radio', { name: 'A new address' }).check()
      await page.getByLabel('Full name').fill('Ada on holiday')
      await page.getByLabel('Address', { exact: true }).fill('3 Lakeshore Road')
      await page.getByLabel('City').fill('Toronto')
      await page.getByLabel('State or region (optional)').fill('Ontario')
      await page.getByLabel('Postal code').fill('M5V 2T6')
      await page.getByLabel('Country').selectOption({ label: 'Canada' })
      await page.getByLabel('Save this address to my address book').check()
      await page.getByLabel('Card number').fill('4242 4242 4242 4242')
      await page.getByLabel('Expiry month').fill('11')
      await page.getByLabel('CVC').fill('987')
      await page.reload()
      await page.getByLabel('Full name').waitFor()
      await expect
        .poll(() => page.getByRole('radio', { name: 'A new address' }).isChecked(), slow)
        .toBe(true)
      await expect
        .poll(() => page.getByLabel('Full name').inputValue(), slow)
        .toBe('Ada on holiday')
      await expect
        .poll(() => page.getByLabel('Address', { exact: true }).inputValue(), slow)
        .toBe('3 Lakeshore Road')
      await expect.poll(() => page.getByLabel('City').inputValue(), slow).toBe('Toronto')
      await expect
        .poll(() => page.getByLabel('State or region (optional)').inputValue(), slow)
        .toBe('Ontario')
      await expect.poll(() => page.getByLabel('Postal code').inputValue(), slow).toBe('M5V 2T6')
      await expect.poll(() => page.getByLabel('Country').inputValue(), slow).toBe('CA')
      await expect
        .poll(() => page.getByLabel('Save this address to my address book').isChecked(), slow)
        .toBe(true)
      await expect.poll(() => page.getByLabel('Card number').inputValue(), slow).toBe('')
      await expect.poll(() => page.getByLabel('Expiry month').inputValue(), slow).toBe('')
      await expect.poll(() => page.getByLabel('CVC').inputValue(), slow).toBe('')
      await page.screenshot({ path: join(artifacts, 'checkout-draft.png'), fullPage: true })
      // The draft is the address and the choice alone (the keys name the account: only values).
      const stored = await page.evaluate(() => Object.values({ ...sessionStorage }))
      expect(stored.map((value) => JSON.parse(value) as unknown)).toEqual([
        {
          choice: 'new',
          address: {
            name: 'Ada on holiday',
            line1: '3 Lakeshore Road',
            line2: '',
            city: 'Toronto',
            region: 'Ontario',
            postalCode: 'M5V 2T6',
            country: 'CA',
            phone: '',
          },
          save: true,
        },
      ])
      const kept = await page.evaluate(() => Object.values({ ...localStorage }).join())
      expect(kept).not.toMatch(/4242 ?4242|"987"/)

      await page.getByLabel('Card number').fill('4242 4242 4242 4242')
      await page.getByLabel('Expiry month').fill('12')
      await page.getByLabel('CVC').fill('123')
      await page.getByRole('button', { name: /^Place order/ }).click()
      await page.waitForURL(/\/orders\/[^/]+$/)
      const second = await client.order(shopper.token, page.url().split('/').pop()!)
      expect(second.shippingAddress).toMatchObject({
        name: 'Ada on holiday',
        city: 'Toronto',
        region: 'Ontario',
        postalCode: 'M5V 2T6',
        country: 'CA',
      })
      // The order page names the country.
      await page
        .getByText(/Ship to: Ada on holiday, 3 Lakeshore Road, Toronto M5V 2T6, Ontario, Canada/)
        .waitFor()
      // The draft is gone once the order is placed; the new address joins the book after it.
      expect(await page.evaluate(() => Object.keys(sessionStorage).join())).not.toContain(
        'checkout-draft',
      )
      const deadline = Date.now() + 30_000
      let book = await addresses(shopper.token)
      while (book.length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        book = await addresses(shopper.token)
      }
      expect(book.find((a) => a.country === 'CA')).toMatchObject({
        name: 'Ada on holiday',
        city: 'Toronto',
        isDefault: false,
      })
      expect(book.find((a) => a.isDefault)?.label).toBe('Home')

      // The next checkout offers it, the default still chosen first, and no draft is left over.
      await client.addToCart(shopper.token, product.id, 1)
      await page.goto('/checkout')
      await page.getByRole('radio', { name: /Ada on holiday/ }).waitFor()
      expect(await page.getByRole('radio', { name: /^Home/ }).isChecked()).toBe(true)
    },
    slow.timeout,
  )
})
