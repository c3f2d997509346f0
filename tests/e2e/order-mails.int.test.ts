import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceDeclarations } from '@emporium/contracts'
import { reservePort } from '@emporium/platform/testing'
import { reserveEmbeddedPorts, type Started, startProcess, waitForOk } from './process.js'
import { fillDataDir } from './embedded-data.js'
import { cards, replyOf, ShopClient } from './shop-client.js'
import { startSmtp, type SmtpMailbox } from './smtp-mailbox.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()
const smtpPort = await reservePort()

const usd = (amount: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount / 100)

// Issue 18, accounts: the order confirmation (with its totals) and the shipment e-mail (with its
// tracking number) of an account's order, on the embedded platform as `npm start` runs it,
// through the gateway, received by a real SMTP server started here.
describe('order confirmation and shipment e-mails (embedded platform, real SMTP)', () => {
  const port = embeddedPorts
  const base = port + 1
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-order-mails-'))
  const adminEmail = 'admin@order-mails.example'
  const client = new ShopClient(`http://127.0.0.1:${port}/api/v1`)
  let started: Started
  let smtp: SmtpMailbox
  let adminToken: string

  beforeAll(async () => {
    smtp = await startSmtp(smtpPort)
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(base),
      DATA_DIR: dataDir,
      ADMIN_EMAILS: adminEmail,
      NOTIFICATIONS_SENDER: `smtp://127.0.0.1:${smtpPort}`,
      USERS_PUBLIC_URL: 'https://shop.example',
      LOG_LEVEL: 'warn',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    // The gateway's management server, on the port after the services'.
    await waitForOk(
      `http://127.0.0.1:${base + serviceDeclarations.length}/readyz`,
      started,
      // Generous: on a loaded machine the first start (migrations of every schema) is slow.
      300_000,
    )
    // Admin is granted to an ADMIN_EMAILS address proven by the link mailed to it.
    const admin = await client.register(adminEmail)
    const verification = await smtp.mailTo(adminEmail, 'Confirm your e-mail address for Emporium')
    const token = /#token=([A-Za-z0-9_.-]+)/.exec(verification.text)?.[1]
    expect(token).toBeDefined()
    const verified = await replyOf(
      client.as(admin.token).POST('/api/v1/auth/verify-email', { body: { token: token! } }),
    )
    expect(verified.status).toBe(204)
    const login = await client.login(adminEmail)
    expect(login.roles).toContain('admin')
    adminToken = login.token
  }, 420_000)

  afterAll(async () => {
    if (started?.child.exitCode === null) started.child.kill('SIGKILL')
    await smtp?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it("mails an account's confirmed order with its total, then its shipment with the tracking number", async () => {
    const email = 'buyer@order-mails.example'
    const shopper = await client.register(email)
    const product = await client.createProduct(adminToken, 1250, 10)
    await client.addToCart(shopper.token, product.id, 2)
    const placed = await client.placeOrder(shopper.token, cards.approved)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const order = await client.waitForOrder(shopper.token, placed.body.id, (o) =>
      ['confirmed', 'cancelled'].includes(o.status),
    )
    expect(order.status).toBe('confirmed')

    const confirmation = await smtp.mailTo(email, `Your Emporium order ${order.id} is confirmed`)
    expect(confirmation.text).toContain(`2 × ${product.name} at ${usd(1250)} = ${usd(2500)}`)
    expect(confirmation.text).toContain(`Subtotal: ${usd(2500)}`)
    expect(confirmation.text).toContain(`Total: ${usd(order.total.amount)}`)
    expect(confirmation.text).toContain(`https://shop.example/orders/${order.id}`)

    // The shipping service hears of the confirmed order from its event: until then, a 404.
    const line = order.items[0]!
    const variantId = line.variantId ?? line.productId
    const body = {
      orderId: order.id,
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      lines: [{ variantId, quantity: 2 }],
    }
    const deadline = Date.now() + 60_000
    let shipment = await client.call('/shipping/shipments', { token: adminToken, body })
    while (shipment.status === 404 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      shipment = await client.call('/shipping/shipments', { token: adminToken, body })
    }
    expect(shipment.status, JSON.stringify(shipment.body)).toBe(201)

    const shipped = await smtp.mailTo(
      email,
      `A parcel of your Emporium order ${order.id} is on its way`,
    )
    expect(shipped.text).toContain('Carrier: UPS')
    expect(shipped.text).toContain('Tracking number: 1Z999AA10123456784')
    expect(shipped.text).toContain(`2 × ${product.name}`)
    expect(shipped.text).toContain('This completes your order.')
    // The orders service ships the order with that parcel (its own "has shipped" e-mail is left
    // out once a shipment e-mail was queued: the integration test of the consumers shows it).
    await client.waitForOrder(shopper.token, order.id, (o) => o.status === 'shipped')
  }, 180_000)
})
