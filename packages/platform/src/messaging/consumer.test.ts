import Type from 'typebox'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { defineEvent, type EventData, type EventEnvelope } from '@emporium/contracts'
import { handler, on, type HandlerContext } from './consumer.js'

const ItemShipped = defineEvent(
  'item.shipped',
  1,
  Type.Object({ itemId: Type.String(), carrier: Type.String() }),
)

function delivery(data: unknown): EventEnvelope {
  return {
    id: 'e-1',
    type: 'item.shipped',
    version: 1,
    occurredAt: '2026-12-02T23:00:00.000Z',
    source: 'items',
    correlationId: 'c-1',
    causationId: null,
    data,
  }
}

/** A stand-in for the inbox's transaction: the helper only hands it to `adapters`. */
const transaction = (name: string) => ({ name }) as unknown as HandlerContext['trx']

describe('handler', () => {
  it("binds the adapters to each event's transaction and hands them, not the transaction, to handle", async () => {
    const bound: unknown[] = []
    const seen: unknown[] = []
    const declared = handler(ItemShipped, {
      adapters: (trx) => {
        bound.push(trx)
        return { shipments: { of: trx } }
      },
      async handle(data, adapters, context) {
        seen.push({ data, adapters, context })
      },
    })
    expect(declared.event).toBe(ItemShipped)
    expect(declared.handleMany).toBeUndefined()

    const [first, second] = [transaction('first'), transaction('second')]
    const envelope = delivery({ itemId: 'i-1', carrier: 'post' })
    await declared.handle({ itemId: 'i-1', carrier: 'post' }, { trx: first, envelope })
    await declared.handle({ itemId: 'i-2', carrier: 'post' }, { trx: second, envelope })

    expect(bound).toEqual([first, second])
    expect(seen).toEqual([
      {
        data: { itemId: 'i-1', carrier: 'post' },
        adapters: { shipments: { of: first } },
        context: { envelope },
      },
      {
        data: { itemId: 'i-2', carrier: 'post' },
        adapters: { shipments: { of: second } },
        context: { envelope },
      },
    ])
  })

  it('is callable as its own handle, so on(Event, declared) still takes it', async () => {
    const carriers: string[] = []
    const declared = handler(ItemShipped, {
      adapters: () => carriers,
      handle: async (data, into) => void into.push(data.carrier),
    })
    const trx = transaction('t')
    await declared({ itemId: 'i-1', carrier: 'post' }, { trx, envelope: delivery({}) })
    await on(ItemShipped, declared).handle(
      { itemId: 'i-2', carrier: 'courier' },
      { trx, envelope: delivery({}) },
    )
    expect(carriers).toEqual(['post', 'courier'])
  })

  it('fails the event, without handling it, when its adapters cannot be made', async () => {
    let handled = false
    const declared = handler(ItemShipped, {
      adapters: () => {
        throw new Error('no such table')
      },
      handle: async () => void (handled = true),
    })
    await expect(
      declared.handle(
        { itemId: 'i-1', carrier: 'post' },
        { trx: transaction('t'), envelope: delivery({}) },
      ),
    ).rejects.toThrow('no such table')
    expect(handled).toBe(false)
  })

  it("types data by the contract's event; handle may read a narrower type, not another one", () => {
    type Shipped = EventData<typeof ItemShipped>
    expectTypeOf<Shipped>().toExtend<{ itemId: string; carrier: string }>()
    const inferred = handler(ItemShipped, {
      adapters: () => undefined,
      async handle(data) {
        expectTypeOf(data).toEqualTypeOf<Shipped>()
      },
    })
    expectTypeOf(inferred).parameter(0).toEqualTypeOf<Shipped>()

    // A test may then hand it only what it reads.
    const narrower = handler(ItemShipped, {
      adapters: () => undefined,
      handle: async (_data: { itemId: string }) => undefined,
    })
    expectTypeOf(narrower).parameter(0).toEqualTypeOf<{ itemId: string }>()

    // The event carries no `weight`: such a handle could never be given one.
    // @ts-expect-error -- refused
    handler(ItemShipped, {
      adapters: () => undefined,
      handle: async (_data: { itemId: string; weight: number }) => undefined,
    })
  })
})
