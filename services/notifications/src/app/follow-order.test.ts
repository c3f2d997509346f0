import { createLogger } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import type { OrderStatus } from '../domain/order-status.js'
import { createChangeFeed } from './change-feed.js'
import { createFollowOrder } from './follow-order.js'
import type { CommittedChange, StatusReader, StreamSlots } from './ports.js'

/** The projection in memory: an owner per order and its change log; counts the reads. */
function memoryReader() {
  const owners = new Map<string, string>()
  const log: CommittedChange[] = []
  const reads = { opening: 0, changesAfter: 0 }
  const of = (orderId: string) => log.filter((c) => c.orderId === orderId)
  const reader: StatusReader = {
    opening: async (orderId, after) => {
      reads.opening++
      const changes = of(orderId)
      const latest = changes.at(-1)
      return {
        owner: owners.get(orderId),
        changes:
          latest && (after === undefined || after >= latest.seq)
            ? [latest]
            : changes.filter((c) => c.seq > after!),
      }
    },
    changesAfter: async (orderId, seq) => {
      reads.changesAfter++
      return of(orderId).filter((c) => c.seq > seq)
    },
    latestSeqs: async (ids) =>
      new Map(log.filter((c) => ids.includes(c.orderId)).map((c) => [c.orderId, c.seq])),
  }
  /** Commits a change, as a consumer would; returns it as the consumer hands it over. */
  const add = (orderId: string, userId: string, status: OrderStatus) => {
    owners.set(orderId, userId)
    const change: CommittedChange = {
      seq: log.length + 1,
      orderId,
      userId,
      status,
      cancellationReason: null,
      at: 'now',
      previousSeq: of(orderId).at(-1)?.seq ?? null,
    }
    log.push(change)
    return change
  }
  return { reader, add, reads }
}

/** Slots in memory, `max` per user, that read the opening from the memory reader. */
function memorySlots(reader: StatusReader, max: number) {
  const open = new Map<string, number>()
  const slots: StreamSlots = {
    async acquire(userId, { orderId, after }) {
      if ((open.get(userId) ?? 0) >= max) return undefined
      open.set(userId, (open.get(userId) ?? 0) + 1)
      let released = false
      const slot = {
        renew: async () => {},
        release: async () => {
          if (!released) open.set(userId, open.get(userId)! - 1)
          released = true
        },
      }
      return { slot, opening: await reader.opening(orderId, after) }
    },
  }
  return { slots, open }
}

function setup(waitMs = 300, pollMs = 20, maxStreams = 5) {
  const memory = memoryReader()
  const { slots, open } = memorySlots(memory.reader, maxStreams)
  const feed = createChangeFeed({
    reader: memory.reader,
    pollMs,
    log: createLogger({ service: 'test', level: 'silent' }),
  })
  const follow = createFollowOrder({ reader: memory.reader, slots, feed, waitMs })
  return { ...memory, feed, follow, open }
}

async function collect(result: Awaited<ReturnType<ReturnType<typeof setup>['follow']>>) {
  if (result.kind !== 'stream') return result.kind
  const seen: string[] = []
  for await (const change of result.changes) seen.push(`${change.seq}:${change.status}`)
  return seen
}

const customer = { userId: 'u1', canReadAll: false }
const signal = () => new AbortController().signal

describe('follow order', () => {
  it('streams the current status, then each change, past confirmed until it ships', async () => {
    const { add, follow, feed } = setup()
    add('o1', 'u1', 'pending')
    const result = await follow({ orderId: 'o1', caller: customer, signal: signal() })
    const seen: string[] = []
    const done = (async () => {
      if (result.kind !== 'stream') throw new Error('a stream')
      for await (const change of result.changes) seen.push(`${change.seq}:${change.status}`)
    })()
    setTimeout(() => {
      add('o1', 'u1', 'awaiting_payment')
      add('o1', 'u1', 'confirmed')
    }, 30)
    // Confirmed does not end the stream: a confirmed order still ships or is cancelled.
    await expect.poll(() => seen).toEqual(['1:pending', '2:awaiting_payment', '3:confirmed'])
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(seen).toHaveLength(3)
    add('o1', 'u1', 'shipped')
    await done
    expect(seen).toEqual(['1:pending', '2:awaiting_payment', '3:confirmed', '4:shipped'])
    feed.close()
  })

  it('hides the order from others, not from an admin', async () => {
    const { add, follow } = setup()
    add('o1', 'u1', 'cancelled')
    await expect(
      follow({ orderId: 'o1', caller: { userId: 'u2', canReadAll: false }, signal: signal() }),
    ).rejects.toMatchObject({ kind: 'not_found', code: 'NOTIFICATIONS.ORDER_NOT_FOUND' })
    const result = await follow({
      orderId: 'o1',
      caller: { userId: 'u2', canReadAll: true },
      signal: signal(),
    })
    expect(await collect(result)).toEqual(['1:cancelled'])
  })

  it('resumes after Last-Event-ID, ignores an id the order never reached', async () => {
    const { add, follow } = setup()
    add('o1', 'u1', 'pending')
    add('o1', 'u1', 'awaiting_payment')
    add('o1', 'u1', 'confirmed')
    add('o1', 'u1', 'shipped')
    const after = (lastEventId: number) =>
      follow({ orderId: 'o1', caller: customer, lastEventId, signal: signal() }).then(collect)
    expect(await after(1)).toEqual(['2:awaiting_payment', '3:confirmed', '4:shipped'])
    expect(await after(3)).toEqual(['4:shipped'])
    expect(await after(4)).toBe('nothing_more')
    expect(await after(99)).toEqual(['4:shipped'])
  })

  it('waits for an order that is not known yet, then gives up', async () => {
    const { add, follow, feed } = setup()
    const opening = follow({ orderId: 'o2', caller: customer, signal: signal() })
    setTimeout(() => feed.notify(add('o2', 'u1', 'cancelled')), 50)
    expect(await collect(await opening)).toEqual(['1:cancelled'])
    const started = Date.now()
    await expect(
      follow({ orderId: 'o3', caller: customer, signal: signal() }),
    ).rejects.toMatchObject({ kind: 'not_found' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(280)
  })

  it('takes changes committed here as handed over, reading nothing after it opened', async () => {
    // Polling far away: only the handed-over changes can move the stream.
    const { add, follow, feed, reads } = setup(5_000, 60_000)
    const opening = follow({ orderId: 'o6', caller: customer, signal: signal() })
    setTimeout(() => {
      feed.notify(add('o6', 'u1', 'pending'))
      setTimeout(() => {
        feed.notify(add('o6', 'u1', 'awaiting_payment'))
        feed.notify(add('o6', 'u1', 'confirmed'))
        feed.notify(add('o6', 'u1', 'shipped'))
      }, 30)
    }, 30)
    expect(await collect(await opening)).toEqual([
      '1:pending',
      '2:awaiting_payment',
      '3:confirmed',
      '4:shipped',
    ])
    expect(reads).toEqual({ opening: 1, changesAfter: 0 })
    feed.close()
  })

  it('reads when a handed-over change does not follow its last one (one committed elsewhere)', async () => {
    const { add, follow, feed, reads } = setup(5_000, 60_000)
    add('o7', 'u1', 'pending')
    const seen = collect(await follow({ orderId: 'o7', caller: customer, signal: signal() }))
    setTimeout(() => {
      add('o7', 'u1', 'awaiting_payment') // other replicas': never handed over here
      add('o7', 'u1', 'confirmed')
      feed.notify(add('o7', 'u1', 'shipped'))
    }, 30)
    expect(await seen).toEqual(['1:pending', '2:awaiting_payment', '3:confirmed', '4:shipped'])
    expect(reads).toEqual({ opening: 1, changesAfter: 1 })
    feed.close()
  })

  it('holds a slot per stream, refuses one past the cap, and frees the slot of a failed one', async () => {
    const { add, follow, open } = setup(50, 20, 2)
    add('o8', 'u1', 'pending')
    const first = await follow({ orderId: 'o8', caller: customer, signal: signal() })
    const second = await follow({ orderId: 'o8', caller: customer, signal: signal() })
    expect([first.kind, second.kind]).toEqual(['stream', 'stream'])
    expect(await follow({ orderId: 'o8', caller: customer, signal: signal() })).toEqual({
      kind: 'too_many',
    })
    if (first.kind !== 'stream') throw new Error('a stream')
    await first.slot.release()
    // A stream that fails (unknown order, someone else's, closed) gives its slot back.
    for (const [orderId, userId] of [
      ['o9', 'u1'],
      ['o8', 'u2'],
    ] as const) {
      await expect(
        follow({ orderId, caller: { userId, canReadAll: false }, signal: signal() }),
      ).rejects.toMatchObject({ kind: 'not_found' })
    }
    const closed = new AbortController()
    closed.abort()
    await expect(
      follow({ orderId: 'o9', caller: customer, signal: closed.signal }),
    ).rejects.toMatchObject({ code: 'NOTIFICATIONS.STREAM_CLOSED' })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(open.get('u1')).toBe(1)
    expect(open.get('u2')).toBe(0)
  })

  it('learns of a change by polling alone (another replica consumed it)', async () => {
    const { add, follow } = setup()
    add('o4', 'u1', 'pending')
    const seen = collect(await follow({ orderId: 'o4', caller: customer, signal: signal() }))
    setTimeout(() => add('o4', 'u1', 'shipped'), 30)
    expect(await seen).toEqual(['1:pending', '2:shipped'])
  })

  it('ends when its signal aborts', async () => {
    const { add, follow } = setup()
    add('o5', 'u1', 'pending')
    const controller = new AbortController()
    const seen = collect(
      await follow({ orderId: 'o5', caller: customer, signal: controller.signal }),
    )
    setTimeout(() => controller.abort(), 30)
    expect(await seen).toEqual(['1:pending'])
  })
})
