import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import {
  repoRoot,
  startProcess,
  waitForOk,
  type Started,
  embeddedManagementPort,
} from '../e2e/process.js'
import { fillDataDir } from '../e2e/embedded-data.js'
import { fetchRetryingShed } from '../e2e/shop-client.js'

/** What the tests read of a product from the API. */
export interface ProductSummary {
  id: string
  name: string
  available: number
  price: { amount: number }
}

/**
 * Starts the embedded platform (`npm start`) on `port`, building the storefront first when
 * there is no build: the gateway serves `apps/storefront/dist`. `env` adds or overrides settings.
 */
export async function startPlatform(
  port: number,
  dataDir: string,
  adminEmail: string,
  env: Record<string, string> = {},
): Promise<Started> {
  if (!existsSync(join(repoRoot, 'apps/storefront/dist/index.html'))) {
    execFileSync('npm', ['run', 'build', '-w', '@emporium/storefront'], {
      cwd: repoRoot,
      stdio: 'ignore',
    })
  }
  await fillDataDir(dataDir)
  const started = startProcess('apps/all-in-one/src/main.ts', {
    PORT: String(port),
    EMBEDDED_PORT_BASE: String(port + 1),
    DATA_DIR: dataDir,
    ADMIN_EMAILS: adminEmail,
    // Verification links land here (admin is granted to a verified ADMIN_EMAILS address only).
    NOTIFICATIONS_SENDER: `file:${join(dataDir, 'mailbox.jsonl')}`,
    LOG_LEVEL: 'warn',
    GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
    GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    ...env,
  })
  // Generous: the machine is shared, and PGlite migrations take a while on a busy one.
  // The gateway's management server answers readiness.
  try {
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(port + 1)}/readyz`, started, 240_000)
  } catch (error) {
    // The caller never gets a platform that did not come up, so it cannot stop one either.
    await stopPlatform(started)
    throw error
  }
  return started
}

/** Stops the platform: SIGTERM, then SIGKILL after 10 s. */
export async function stopPlatform(started: Started): Promise<void> {
  if (started.child.exitCode !== null) return
  started.child.kill('SIGTERM')
  const stopped = await Promise.race([
    started.exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
  ])
  if (!stopped) started.child.kill('SIGKILL')
}

/** Debian's headless Chromium (installed by scripts/infra-up.sh). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
}

/** Products of a listing query with at least 5 units available. */
export async function productsInStock(base: string, query: string): Promise<ProductSummary[]> {
  const response = await fetchRetryingShed(`${base}/api/v1/products?${query}&limit=50`)
  const page = (await response.json()) as { items: ProductSummary[] }
  return page.items.filter((p) => p.available >= 5)
}

/** Registers through the page's form; resolves once signed in. */
export async function register(page: Page, email: string, name: string): Promise<void> {
  await page.goto('/')
  await page.getByRole('link', { name: 'Register' }).click()
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('button', { name: /Sign out/ }).waitFor()
}

/** Adds a product from its page. */
export async function addToCart(page: Page, product: ProductSummary, quantity = 1): Promise<void> {
  await page.goto(`/products/${encodeURIComponent(product.id)}`)
  await page.getByRole('heading', { level: 1, name: product.name }).waitFor()
  await page.getByLabel('Quantity').fill(String(quantity))
  await page.getByRole('button', { name: 'Add to cart' }).click()
  await page.getByText(`Added ${quantity} × ${product.name} to your cart.`).waitFor()
}

/** Fills the checkout form with an address and the given card. */
export async function fillCheckout(page: Page, card: string): Promise<void> {
  await page.getByLabel('Full name').fill('Ada Shopper')
  await page.getByLabel('Address', { exact: true }).fill('1 Market Street')
  await page.getByLabel('City').fill('Springfield')
  await page.getByLabel('Postal code').fill('12345')
  await page.getByLabel('Card number').fill(card)
  await page.getByLabel('Expiry month').fill('12')
  await page.getByLabel('CVC').fill('123')
}
