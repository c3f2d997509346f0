import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orders, shipping, users } from '@emporium/contracts'
import { envelope, publish, startNotifications } from './support.js'

// Issue 18: the order confirmation with its totals breakdown and the shipment e-mails, from the
// events as the orders and shipping services publish them, through the consumers (inbox, real
// PostgreSQL) and the dispatcher.
describe('order confirmation and shipment e-mails (PostgreSQL)', () => {
  let started: Awaited<ReturnType<typeof startNotifications>>

  beforeAll(async () => {
    started = await startNotifications('postgres', {
      dispatchIntervalMs: 0,
      env: { NOTIFICATIONS_PUBLIC_URL: 'https://shop.example' },
    })
  })

  afterAll(async () => {
    await started?.stop()
  })

  const usd = (amount: number) => ({ amount, currency: 'USD' })
  const at = () => new Date().toISOString()
  const lines = [
    {
      productId: 'p-tee',
      variantId: 'v-tee-m',
      variantLabel: 'M / Blue',
      name: 'Tee',
      unitPrice: usd(2000),
      quantity: 2,
    },
    { productId: 'p-mug', name: 'Mug', unitPrice: usd(850), quantity: 1 },
  ]
  const confirmed = (orderId: string, userId: string, guest?: { email: string; link: string }) => ({
    orderId,
    userId,
    lines,
    subtotal: usd(4850),
    discount: usd(485),
    promotionCode: 'SAVE10',
    shipping: usd(500),
    shippingMethod: { id: 'm-std', name: 'Standard', carrier: 'UPS' },
    tax: usd(349),
    taxInclusive: false,
    total: usd(5214),
    ...(guest && { email: guest.email, orderLink: guest.link }),
    at: at(),
  })
  const messagesOf = (orderId: string) =>
    started.testDb.database.db
      .selectFrom('messages')
      .selectAll()
      .where('order_id', '=', orderId)
      // By template (two rows may share a millisecond): order_confirmed, order_shipped, shipment_created.
      .orderBy('template')
      .execute()

  it("mails an account's confirmation, once, to its address with the breakdown and its order page", async () => {
    const userId = `u-${randomUUID()}`
    const orderId = `o-${randomUUID()}`
    const email = `ada-${randomUUID()}@example.com`
    await publish(started.bus, users.UserRegistered, {
      userId,
      email,
      name: 'Ada',
      roles: ['customer'],
      registeredAt: at(),
    })
    const event = envelope(orders.OrderConfirmed, confirmed(orderId, userId))
    await started.bus.publish(event)
    await started.bus.publish(structuredClone(event))

    const messages = await messagesOf(orderId)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ template: 'order_confirmed', to_address: email })
    await started.service.dispatchPending()
    await started.service.dispatchPending()
    const mine = started.sent.filter((m) => m.to === email)
    expect(mine).toHaveLength(1)
    const text = mine[0]!.text
    expect(text).toMatch(/^Hello Ada,/)
    expect(text).toContain('2 × Tee (M / Blue) at $20.00 = $40.00')
    expect(text).toContain(
      'Subtotal: $48.50\nDiscount (SAVE10): −$4.85\nShipping (Standard, UPS): $5.00\nTax: $3.49\nTotal: $52.14',
    )
    expect(text).toContain(`https://shop.example/orders/${orderId}`)
    expect(text).not.toContain('/order-links/')
  })

  it("mails a guest's confirmation to the event's address with the signed link; its shipments too", async () => {
    const userId = `guest-${randomUUID()}`
    const orderId = `o-${randomUUID()}`
    const email = `guest-${randomUUID()}@example.com`
    await publish(
      started.bus,
      orders.OrderConfirmed,
      confirmed(orderId, userId, { email, link: 'signed.token-1' }),
    )
    const [confirmation] = await messagesOf(orderId)
    expect(confirmation).toMatchObject({ template: 'order_confirmed', to_address: email })
    expect(confirmation!.body).toContain('https://shop.example/order-links/signed.token-1')
    expect(confirmation!.body).not.toContain(`/orders/${orderId}`)

    // A first parcel: the tee, and a variant the order's copy does not know.
    const shipment = envelope(shipping.ShipmentCreated, {
      shipmentId: `s-${randomUUID()}`,
      orderId,
      userId,
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      lines: [
        { productId: 'p-tee', variantId: 'v-tee-m', quantity: 2 },
        { productId: 'p-x', variantId: 'v-unknown', quantity: 1 },
      ],
      complete: false,
      at: at(),
    })
    await started.bus.publish(shipment)
    await started.bus.publish(structuredClone(shipment))
    // The last parcel (the mug, an order from before variants: its variant is the product).
    await publish(started.bus, shipping.ShipmentCreated, {
      shipmentId: `s-${randomUUID()}`,
      orderId,
      userId,
      carrier: 'DHL',
      trackingNumber: 'JD014600003',
      lines: [{ productId: 'p-mug', variantId: 'p-mug', quantity: 1 }],
      complete: true,
      at: at(),
    })
    // The orders service then ships the order: no third e-mail of its own.
    await publish(started.bus, orders.OrderShipped, { orderId, userId, at: at() })

    const messages = await messagesOf(orderId)
    expect(messages.map((m) => m.template)).toEqual([
      'order_confirmed',
      'shipment_created',
      'shipment_created',
    ])
    await started.service.dispatchPending()
    const mine = started.sent.filter((m) => m.to === email)
    expect(mine.map((m) => m.template).sort()).toEqual([
      'order_confirmed',
      'shipment_created',
      'shipment_created',
    ])
    const first = mine.find((m) => m.text.includes('1Z999AA10123456784'))!
    expect(first.subject).toBe(`A parcel of your Emporium order ${orderId} is on its way`)
    expect(first.text).toContain('Carrier: UPS\nTracking number: 1Z999AA10123456784')
    expect(first.text).toContain('  2 × Tee (M / Blue)\n  1 × item v-unknown')
    expect(first.text).toContain('The rest of your order follows')
    expect(first.text).toContain('https://shop.example/order-links/signed.token-1')
    const last = mine.find((m) => m.text.includes('JD014600003'))!
    expect(last.text).toContain('Carrier: DHL')
    expect(last.text).toContain('  1 × Mug\n')
    expect(last.text).toContain('This completes your order.')
  })

  it("mails an account's shipment to its address; an order shipped without shipments keeps its own e-mail", async () => {
    const userId = `u-${randomUUID()}`
    const email = `bo-${randomUUID()}@example.com`
    await publish(started.bus, users.UserRegistered, {
      userId,
      email,
      name: 'Bo',
      roles: ['customer'],
      registeredAt: at(),
    })
    const shippedByParcel = `o-${randomUUID()}`
    await publish(started.bus, orders.OrderConfirmed, confirmed(shippedByParcel, userId))
    await publish(started.bus, shipping.ShipmentCreated, {
      shipmentId: `s-${randomUUID()}`,
      orderId: shippedByParcel,
      userId,
      carrier: 'UPS',
      trackingNumber: '1ZACCOUNT0001',
      lines: [
        { productId: 'p-tee', variantId: 'v-tee-m', quantity: 2 },
        { productId: 'p-mug', variantId: 'p-mug', quantity: 1 },
      ],
      complete: true,
      at: at(),
    })
    const [, shipmentMail] = await messagesOf(shippedByParcel)
    expect(shipmentMail).toMatchObject({ template: 'shipment_created', to_address: email })
    expect(shipmentMail!.body).toMatch(/^Hello Bo,/)
    expect(shipmentMail!.body).toContain('Tracking number: 1ZACCOUNT0001')
    expect(shipmentMail!.body).toContain(`https://shop.example/orders/${shippedByParcel}`)

    // One-click ship (no shipment): the order.shipped e-mail is the shopper's only news.
    const shippedAtOnce = `o-${randomUUID()}`
    await publish(started.bus, orders.OrderConfirmed, confirmed(shippedAtOnce, userId))
    await publish(started.bus, orders.OrderShipped, { orderId: shippedAtOnce, userId, at: at() })
    expect((await messagesOf(shippedAtOnce)).map((m) => m.template)).toEqual([
      'order_confirmed',
      'order_shipped',
    ])
  })
})
