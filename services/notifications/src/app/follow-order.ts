import { AppError } from '@emporium/platform/app'
import { isTerminal } from '../domain/order-status.js'
import type { ChangeFeed } from './change-feed.js'
import type {
  CommittedChange,
  Opening,
  StatusChange,
  StatusReader,
  StreamSlot,
  StreamSlots,
} from './ports.js'
import { createWakeUp } from './wake-up.js'

/** Who follows: the token's subject, and whether its roles read anyone's orders (orders.read). */
export interface Caller {
  userId: string
  canReadAll: boolean
}

/**
 * A stream or a 204 holds one of the caller's stream slots, which the caller frees when its
 * response closes; a follow that throws has freed its slot already.
 */
export type FollowResult =
  /** The changes to stream: the current status (or those after Last-Event-ID), then each new one. */
  | { kind: 'stream'; slot: StreamSlot; changes: AsyncGenerator<StatusChange, void, undefined> }
  /** The client saw everything already and the order is shipped or cancelled: nothing will come. */
  | { kind: 'nothing_more'; slot: StreamSlot }
  /** The caller has NOTIFICATIONS_MAX_STREAMS_PER_USER streams open already. */
  | { kind: 'too_many' }

export type FollowOrder = (input: {
  orderId: string
  caller: Caller
  /** The client's Last-Event-ID: the `seq` of the last change it received. */
  lastEventId?: number
  /** Aborts on client disconnect or service shutdown; the changes then end. */
  signal: AbortSignal
}) => Promise<FollowResult>

const notFound = () => new AppError('not_found', 'NOTIFICATIONS.ORDER_NOT_FOUND', 'No such order.')

/**
 * The status stream of one order. An order not known yet (its first event may still be on its
 * way) is waited for up to `waitMs`; someone else's order is not found, like an unknown one.
 * Opening takes one of the caller's stream slots and reads the order in one round trip. A stream
 * reads the database when it opens and when a poll finds a change; a change this
 * replica committed is handed over by the feed and costs no read when it directly follows the
 * stream's last one (its `previousSeq`), which is what keeps every change in the stream.
 */
export function createFollowOrder(deps: {
  reader: StatusReader
  slots: StreamSlots
  feed: ChangeFeed
  waitMs: number
}): FollowOrder {
  const { reader, feed } = deps

  /** The slot and the opening, waited for while the order is unknown; undefined: no slot. */
  async function open(
    userId: string,
    orderId: string,
    after: number | undefined,
    signal: AbortSignal,
  ): Promise<{ slot: StreamSlot; opening: Opening } | undefined> {
    if (deps.waitMs <= 0) return deps.slots.acquire(userId, { orderId, after })
    const deadline = Date.now() + deps.waitMs
    const wake = createWakeUp()
    // The order's changes committed here from its first one on: its owner and whole history.
    const pushed: CommittedChange[] = []
    // Watching before the first read: the order's first change may commit during it.
    const unwatch = feed.watch(
      orderId,
      () => 0,
      (change) => {
        if (change && change.previousSeq === (pushed.at(-1)?.seq ?? null)) pushed.push(change)
        wake.set()
      },
    )
    try {
      const taken = await deps.slots.acquire(userId, { orderId, after })
      if (!taken) return undefined
      let opened = taken.opening
      try {
        while (opened.owner === undefined && !signal.aborted && Date.now() < deadline) {
          await wake.wait(deadline - Date.now(), signal)
          opened =
            pushed.length > 0
              ? { owner: pushed[0]!.userId, changes: pushed }
              : await reader.opening(orderId, after)
        }
      } catch (error) {
        free(taken.slot)
        throw error
      }
      return { slot: taken.slot, opening: opened }
    } finally {
      unwatch()
    }
  }

  async function* follow(
    orderId: string,
    first: StatusChange[],
    start: number,
    signal: AbortSignal,
  ): AsyncGenerator<StatusChange, void, undefined> {
    let cursor = start
    // The last change yielded or queued: a handed-over change right after it is queued as it
    // is; any other wake-up means "read". NaN while a read is under way (read again after it).
    let known = first.at(-1)?.seq ?? start
    let queued: StatusChange[] = []
    let read = false
    const wake = createWakeUp()
    const unwatch = feed.watch(
      orderId,
      () => known,
      (change) => {
        if (change && change.previousSeq === known) {
          queued.push(change)
          known = change.seq
        } else if (!change || !(change.seq <= known)) {
          read = true
        }
        wake.set()
      },
    )
    try {
      let batch = first
      for (;;) {
        for (const change of batch) {
          if (signal.aborted) return
          cursor = change.seq
          yield change
          if (isTerminal(change.status)) return
        }
        await wake.wait(Number.POSITIVE_INFINITY, signal)
        if (signal.aborted) return
        if (read) {
          read = false
          queued = []
          known = Number.NaN
          batch = await reader.changesAfter(orderId, cursor)
          known = batch.at(-1)?.seq ?? cursor
        } else {
          batch = queued
          queued = []
        }
      }
    } finally {
      unwatch()
    }
  }

  /** A slot not released expires (three heartbeats): nothing more to do about a failure. */
  function free(slot: StreamSlot): void {
    slot.release().catch(() => undefined)
  }

  function streamOf(
    slot: StreamSlot,
    { owner, changes }: Opening,
    { orderId, caller, lastEventId, signal }: Parameters<FollowOrder>[0],
  ): FollowResult {
    if (signal.aborted)
      throw new AppError('unavailable', 'NOTIFICATIONS.STREAM_CLOSED', 'The stream was closed.')
    if (owner === undefined || (owner !== caller.userId && !caller.canReadAll)) throw notFound()
    const latest = changes.at(-1)
    if (!latest) throw notFound()
    // An id this order never reached (another order's, or made up) counts as none.
    if (lastEventId !== undefined && lastEventId <= latest.seq) {
      if (lastEventId === latest.seq && isTerminal(latest.status))
        return { kind: 'nothing_more', slot }
      const missed = changes.filter((change) => change.seq > lastEventId)
      return { kind: 'stream', slot, changes: follow(orderId, missed, lastEventId, signal) }
    }
    return { kind: 'stream', slot, changes: follow(orderId, [latest], latest.seq - 1, signal) }
  }

  return async (input) => {
    const opened = await open(input.caller.userId, input.orderId, input.lastEventId, input.signal)
    if (!opened) return { kind: 'too_many' }
    try {
      return streamOf(opened.slot, opened.opening, input)
    } catch (error) {
      free(opened.slot)
      throw error
    }
  }
}
