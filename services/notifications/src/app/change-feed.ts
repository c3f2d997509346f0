import type { Logger } from '@emporium/platform/app'
import type { CommittedChange, StatusReader } from './ports.js'

/** Wakes whoever follows an order when the order may have changed. */
export interface ChangeFeed {
  /** This replica committed a change of an order: hand it to the order's followers now. */
  notify(change: CommittedChange): void
  /**
   * Calls `wake` whenever the order may have changed: with the change on `notify`, and without
   * one whenever a poll of the shared database finds a change above `cursor()`. Returns the
   * unsubscribe function.
   */
  watch(orderId: string, cursor: () => number, wake: Wake): () => void
  close(): void
}

/** Called with the change when this replica committed it, without when a poll found one. */
export type Wake = (change?: CommittedChange) => void

interface Watcher {
  cursor: () => number
  wake: Wake
}

/**
 * Followers learn of changes from the database, never from this replica's memory: another
 * replica may have consumed the event. One poll per interval asks the highest change of every
 * followed order at once (while any is followed); `notify` only shortens the wait when the
 * consumer happens to run here (and hands over the change, which spares the follower a read
 * when it directly follows the follower's last one). Polling compares with each follower's
 * cursor, so a wake-up missed for any reason is caught at the next poll.
 */
export function createChangeFeed(deps: {
  reader: StatusReader
  pollMs: number
  log: Logger
}): ChangeFeed {
  const watchers = new Map<string, Set<Watcher>>()
  let timer: NodeJS.Timeout | undefined
  let polling = false
  let closed = false

  async function poll(): Promise<void> {
    if (polling || watchers.size === 0) return
    polling = true
    try {
      const ids = [...watchers.keys()]
      for (let i = 0; i < ids.length; i += 500) {
        const latest = await deps.reader.latestSeqs(ids.slice(i, i + 500))
        for (const [orderId, seq] of latest) {
          for (const watcher of watchers.get(orderId) ?? []) {
            if (seq > watcher.cursor()) watcher.wake()
          }
        }
      }
    } catch (error) {
      deps.log.warn({ err: error }, 'status stream poll failed')
    } finally {
      polling = false
    }
  }

  function startOrStop(): void {
    if (watchers.size > 0 && !timer && !closed) {
      timer = setInterval(() => void poll(), deps.pollMs)
    } else if (watchers.size === 0 && timer) {
      clearInterval(timer)
      timer = undefined
    }
  }

  return {
    notify(change) {
      for (const watcher of watchers.get(change.orderId) ?? []) watcher.wake(change)
    },
    watch(orderId, cursor, wake) {
      const watcher = { cursor, wake }
      const set = watchers.get(orderId) ?? new Set()
      set.add(watcher)
      watchers.set(orderId, set)
      startOrStop()
      return () => {
        set.delete(watcher)
        if (set.size === 0 && watchers.get(orderId) === set) watchers.delete(orderId)
        startOrStop()
      }
    },
    close() {
      closed = true
      watchers.clear()
      startOrStop()
    },
  }
}
