import { readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkInvariants, runLoad, scenarioNames, type LoadReport } from './index.js'
import { runCli, startEmbedded, type Embedded } from './platform-test-support.js'

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

// The load generator against the embedded platform (`npm start`): every scenario, checkouts
// followed to their end, the invariants over the API, and the CLI's exit status.
describe('load generator against the embedded platform', () => {
  let platform: Embedded
  const jsonPath = join(tmpdir(), `loadgen-report-${process.pid}.json`)

  beforeAll(async () => {
    platform = await startEmbedded()
  }, 180_000)

  afterAll(async () => {
    await platform?.stop()
    rmSync(jsonPath, { force: true })
  })

  let report: LoadReport
  it('runs every scenario, counts operations, follows checkouts to their end', async () => {
    const lines: string[] = []
    report = await runLoad({
      baseUrl: platform.baseUrl,
      rate: 4,
      durationSeconds: 10,
      rampSeconds: 2,
      // A seed fixes the arrivals and each one's scenario (uniform: 36 of them, every kind).
      arrivals: 'uniform',
      seed: 1,
      mix: { browse: 2, search: 2, view: 2, cart: 2, checkout: 4, history: 2 },
      cards: { approved: 1, declined: 1 },
      // Half the shoppers whose card is declined pay again, the others cancel.
      retryAfterDeclinePercent: 50,
      shoppers: 12,
      followOrders: 'stream',
      finalTimeoutSeconds: 30,
      progress: (line) => lines.push(line),
    })
    const detail = JSON.stringify({ errors: report.errorsByKind, scenarios: report.scenarios })
    for (const name of scenarioNames)
      expect(report.scenarios[name]?.started, name).toBeGreaterThan(0)
    const ops = new Map(report.operations.map((op) => [op.name, op]))
    for (const name of [
      'products.list',
      'products.search',
      'products.view',
      'cart.add',
      'cart.update',
      'cart.view',
      'orders.place',
      'orders.stream',
      'orders.history',
      'auth.register',
    ]) {
      expect(ops.get(name)?.count, name).toBeGreaterThan(0)
      expect(ops.get(name)!.p50, name).toBeGreaterThan(0)
      expect(ops.get(name)!.max, name).toBeGreaterThanOrEqual(ops.get(name)!.p99)
    }
    expect(report.shoppers).toMatchObject({ pool: 12, registered: 12 })
    const requests = report.operations.reduce((sum, op) => sum + op.count, 0)
    expect(report.totals.requests).toBe(requests)
    expect(report.totals.errorRate, detail).toBeLessThan(0.02)
    expect(lines.length).toBeGreaterThan(5)
    expect(lines.at(-1)).toMatch(/requests \d+/)

    const { checkout } = report
    const cancelled = Object.values(checkout.cancelled).reduce((a, b) => a + b, 0)
    expect(checkout.placed, detail).toBeGreaterThan(3)
    expect(checkout.unfinished).toBe(0)
    expect(checkout.confirmed + cancelled).toBe(checkout.placed)
    expect(report.orderIds).toHaveLength(checkout.placed)
    // Each card ends as API.md says: approved → confirmed; declined → payment_failed, held,
    // until the shopper pays again with the approved card (confirmed) or cancels the order
    // (customer_cancelled), without waiting for the payment deadline.
    expect(Object.keys(checkout.byCard.approved ?? {})).toEqual(['confirmed'])
    const declinedEnds = checkout.byCard.declined ?? {}
    const declinedOrders = Object.values(declinedEnds).reduce((a, b) => a + b, 0)
    expect(declinedOrders).toBeGreaterThan(0)
    for (const outcome of Object.keys(declinedEnds))
      expect(['confirmed', 'cancelled:customer_cancelled'], outcome).toContain(outcome)
    const { afterDecline } = checkout
    expect(afterDecline.declined).toBe(declinedOrders)
    expect(afterDecline.refused).toBe(0)
    expect(afterDecline.retries + afterDecline.cancelled).toBe(declinedOrders)
    expect(afterDecline.cancelled).toBe(declinedEnds['cancelled:customer_cancelled'] ?? 0)
    expect(afterDecline.retryOutcomes).toEqual(
      afterDecline.retries > 0 ? { confirmed: afterDecline.retries } : {},
    )
    if (afterDecline.retries > 0) expect(ops.get('orders.pay_again')?.count).toBeGreaterThan(0)
    if (afterDecline.cancelled > 0) expect(ops.get('orders.cancel')?.count).toBeGreaterThan(0)
    expect(checkout.confirmed).toBeGreaterThan(0)
    expect(checkout.placeToFinal.p50).toBeGreaterThan(0)
    expect(report.productIds.length).toBeGreaterThan(0)
  }, 90_000)

  it('finds the invariants holding after the run', async () => {
    const results = await checkInvariants({
      baseUrl: platform.baseUrl,
      admin: platform.admin,
      productIds: report.productIds,
      settleSeconds: 20,
    })
    expect(results.map((r) => r.name)).toEqual([
      'orders final',
      'stock never negative',
      'payments reconcile',
    ])
    for (const result of results) expect(result, result.detail).toMatchObject({ ok: true })
    expect(results[0]!.detail).toContain(`${report.checkout.placed} orders, all final`)
  }, 60_000)

  it('finds orders not final when it does not let them settle, and skips without an admin', async () => {
    // The slow card's provider answers after 5 s: these orders are still open right after.
    const unsettled = await runLoad({
      baseUrl: platform.baseUrl,
      rate: 2,
      durationSeconds: 2,
      arrivals: 'uniform',
      mix: { checkout: 1 },
      cards: { slow: 1 },
      shoppers: 4,
      followOrders: 'none',
    })
    expect(unsettled.checkout.placed).toBeGreaterThan(0)
    const early = await checkInvariants({
      baseUrl: platform.baseUrl,
      admin: platform.admin,
      productIds: unsettled.productIds,
      settleSeconds: 0,
    })
    expect(early[0]).toMatchObject({ name: 'orders final', ok: false })
    expect(early[0]!.detail).toMatch(/not final after 0s: .*\((pending|awaiting_payment)\)/)

    const customer = await checkInvariants({
      baseUrl: platform.baseUrl,
      admin: { email: 'customer@loadgen.test', password: 'customer-password-1' },
    })
    expect(customer).toEqual([
      expect.objectContaining({
        ok: true,
        skipped: true,
        detail: expect.stringContaining('npm run admin -- grant'),
      }),
    ])
  }, 60_000)

  it('the CLI prints its table and exits 0 on a healthy run, 1 over the error threshold', async () => {
    // prettier-ignore
    const healthy = await runCli([
      '--target', platform.baseUrl, '--duration', '3', '--rate', '3', '--no-state', '--quiet',
      '--admin-email', platform.admin.email, '--admin-password', platform.admin.password,
      '--settle', '20', '--json', jsonPath,
    ])
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0)
    expect(healthy.stdout).toMatch(/^operation\s+count\s+errors\s+throttled/m)
    expect(healthy.stdout).toContain('✓ payments reconcile')
    expect(healthy.stdout).toContain('PASSED')
    const json = JSON.parse(readFileSync(jsonPath, 'utf8'))
    expect(json.verdict).toEqual({ code: 0, reasons: [] })
    expect(json.totals.requests).toBeGreaterThan(0)

    const port = await deadPort()
    // prettier-ignore
    const broken = await runCli([
      '--target', `http://127.0.0.1:${port}`, '--duration', '2', '--rate', '2', '--no-state',
      '--quiet', '--no-invariants',
    ])
    expect(broken.code, broken.stdout + broken.stderr).toBe(1)
    expect(broken.stdout).toContain('network ECONNREFUSED')
    expect(broken.stdout).toMatch(/FAILED: error rate 100\.00% .* is over --max-error-rate 1\.00%/)
  }, 90_000)
})
