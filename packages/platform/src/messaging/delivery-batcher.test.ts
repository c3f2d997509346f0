import { setImmediate as nextTurn } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createDeliveryBatcher } from './delivery-batcher.js'

/** A batcher that records its batches; `push` of messages on one channel. */
function recording(lingerMs?: number) {
  const batches: string[][] = []
  const batcher = createDeliveryBatcher<'ch', string>({
    maxBatch: 10,
    lingerMs,
    run: async (_, messages) => {
      batches.push(messages)
    },
    onError: (error) => {
      throw error
    },
  })
  return { batches, push: (message: string) => batcher.push('ch', message), idle: batcher.idle }
}

describe('the delivery batcher', () => {
  it('runs what arrived in one turn as one batch, and a later arrival as another', async () => {
    const { batches, push, idle } = recording()
    push('a')
    push('b')
    await nextTurn()
    await nextTurn()
    push('c')
    await idle()
    expect(batches).toEqual([['a', 'b'], ['c']])
  })

  it('with a linger, waits for what arrives soon after the first delivery', async () => {
    // A generous linger: what arrives a few turns later joins, however slow the machine.
    const { batches, push, idle } = recording(1_000)
    push('a')
    await nextTurn()
    await nextTurn()
    push('b')
    expect(batches).toEqual([])
    await idle()
    expect(batches).toEqual([['a', 'b']])
  })

  it('with a linger, still holds a batch to maxBatch and keeps the order', async () => {
    const { batches, push, idle } = recording(20)
    for (let i = 0; i < 25; i++) push(String(i))
    await idle()
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5])
    expect(batches.flat()).toEqual(Array.from({ length: 25 }, (_, i) => String(i)))
  })
})
