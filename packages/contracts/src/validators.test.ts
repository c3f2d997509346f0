import Type from 'typebox'
import Value from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { cart } from './index.js'
import { EventEnvelope, defineEvent } from './events.js'
import { validatorOf } from './validators.js'

const validCart = {
  items: [
    {
      productId: '8bdff727-9724-4760-8dc6-2101c3ec59c2',
      variantId: '8bdff727-9724-4760-8dc6-2101c3ec59c2',
      name: 'Oak Coffee Beans',
      unitPrice: { amount: 1999, currency: 'USD' },
      quantity: 2,
      lineTotal: { amount: 3998, currency: 'USD' },
    },
  ],
  subtotal: { amount: 3998, currency: 'USD' },
  itemCount: 2,
  updatedAt: '2026-12-07T08:26:34.610Z',
}

describe('validatorOf', () => {
  it('compiles a schema once, into code (not a walk of the schema per call)', () => {
    const first = validatorOf(cart.Cart)
    expect(validatorOf(cart.Cart)).toBe(first)
    expect(first.IsAccelerated()).toBe(true)
  })

  it('says what Value.Check says, formats, patterns and bounds included', () => {
    const broken: unknown[] = [
      { ...validCart, updatedAt: 'yesterday' },
      { ...validCart, itemCount: -1 },
      { ...validCart, items: [{ ...validCart.items[0], quantity: 0 }] },
      { ...validCart, subtotal: { amount: 1.5, currency: 'USD' } },
      { ...validCart, items: 'none' },
      null,
    ]
    expect(validatorOf(cart.Cart).Check(validCart)).toBe(true)
    expect(Value.Check(cart.Cart, validCart)).toBe(true)
    for (const value of broken) {
      expect(validatorOf(cart.Cart).Check(value), JSON.stringify(value)).toBe(
        Value.Check(cart.Cart, value),
      )
      expect(validatorOf(cart.Cart).Check(value)).toBe(false)
    }
    const envelope = {
      id: 'e-1',
      type: 'order.placed',
      version: 1,
      occurredAt: '2026-12-07T08:00:00.000Z',
      source: 'orders',
      correlationId: 'c-1',
      causationId: null,
      data: {},
    }
    expect(validatorOf(EventEnvelope).Check(envelope)).toBe(Value.Check(EventEnvelope, envelope))
    const badType = { ...envelope, type: 'Order Placed' }
    expect(validatorOf(EventEnvelope).Check(badType)).toBe(false)
    expect(Value.Check(EventEnvelope, badType)).toBe(false)
  })

  it("gives an event's parse the problems of its data", () => {
    const event = defineEvent('thing.done', 1, Type.Object({ count: Type.Integer({ minimum: 0 }) }))
    const envelope = (data: unknown) => ({
      id: 'e-1',
      type: 'thing.done',
      version: 1,
      occurredAt: '2026-12-07T08:00:00.000Z',
      source: 'test',
      correlationId: 'c-1',
      causationId: null,
      data,
    })
    expect(event.parse(envelope({ count: 3 }))).toEqual({ ok: true, data: { count: 3 } })
    const refused = event.parse(envelope({ count: -1 }))
    expect(refused.ok).toBe(false)
    expect(!refused.ok && refused.errors.join()).toMatch(/^\/count /)
  })
})
