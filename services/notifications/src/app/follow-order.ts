import { AppError } from '@emporium/platform'
import { isFinal } from '../domain/order-status.js'
import type { ChangeFeed } from './change-feed.js'
import type { StatusChange, StatusReader } from './ports.js'
import { createWakeUp } from './wake-up.js'

export interface Caller {
  userId: string
  admin: boolean
}

export type FollowResult =
  /** The changes to stream: the current status (or those after Last-Event-ID), then each new one. */
  | { kind: 'stream'; changes: AsyncGenerator<StatusChange, void, undefined> }
  /** The client saw everything already and the order is final: nothing will ever come. */
  | { kind: 'nothing_more' }

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
 */
export function createFollowOrder(deps: {
  reader: StatusReader
  feed: ChangeFeed
  waitMs: number
}): FollowOrder {
  const { reader, feed } = deps

  async function waitForOwner(orderId: string, signal: AbortSignal): Promise<string | undefined> {
    let owner = await reader.ownerOf(orderId)
    if (owner !== undefined || deps.waitMs <= 0) return owner
    const deadline = Date.now() + deps.waitMs
    const wake = createWakeUp()
    const unwatch = feed.watch(orderId, () => 0, wake.set)
    try {
      while (owner === undefined && !signal.aborted && Date.now() < deadline) {
        await wake.wait(deadline - Date.now(), signal)
        owner = await reader.ownerOf(orderId)
      }
    } finally {
      unwatch()
    }
    return owner
  }

  async function* follow(
    orderId: string,
    first: StatusChange[],
    start: number,
    signal: AbortSignal,
  ): AsyncGenerator<StatusChange, void, undefined> {
    let cursor = start
    const wake = createWakeUp()
    const unwatch = feed.watch(orderId, () => cursor, wake.set)
    try {
      let batch = first
      for (;;) {
        for (const change of batch) {
          if (signal.aborted) return
          cursor = change.seq
          yield change
          if (isFinal(change.status)) return
        }
        await wake.wait(Number.POSITIVE_INFINITY, signal)
        if (signal.aborted) return
        batch = await reader.changesAfter(orderId, cursor)
      }
    } finally {
      unwatch()
    }
  }

  return async ({ orderId, caller, lastEventId, signal }) => {
    const owner = await waitForOwner(orderId, signal)
    if (signal.aborted)
      throw new AppError('unavailable', 'NOTIFICATIONS.STREAM_CLOSED', 'The stream was closed.')
    if (owner === undefined || (owner !== caller.userId && !caller.admin)) throw notFound()
    const latest = await reader.latestChange(orderId)
    if (!latest) throw notFound()
    // An id this order never reached (another order's, or made up) counts as none.
    if (lastEventId !== undefined && lastEventId <= latest.seq) {
      if (lastEventId === latest.seq && isFinal(latest.status)) return { kind: 'nothing_more' }
      const missed = await reader.changesAfter(orderId, lastEventId)
      return { kind: 'stream', changes: follow(orderId, missed, lastEventId, signal) }
    }
    return { kind: 'stream', changes: follow(orderId, [latest], latest.seq - 1, signal) }
  }
}
