import type { Logger } from '@emporium/platform/app'
import { afterFailure } from '../domain/send-retry.js'
import type { ClaimedMessage, MessageQueue, Sender } from './ports.js'

export interface DispatchDeps {
  queue: MessageQueue
  sender: Sender
  from: string
  now: () => Date
  log: Logger
  /** Attempts before a message is marked failed. */
  maxAttempts: number
  /** How long a claimed message stays hidden from other claims (longer than a send may take). */
  leaseMs?: number
  /** A send not done by then counts as failed (it may still arrive: at-least-once). */
  sendTimeoutMs?: number
  batchSize?: number
}

/**
 * Sends the messages that are due, through the sender, and records the outcome; returns how many
 * were sent. Delivery is at-least-once: a message is marked sent only after the sender took it,
 * so a crash (or a lease running out) between the two sends it again once its lease expires.
 * Each message carries a stable id (the SMTP Message-ID) for receivers that de-duplicate.
 */
export function createDispatchPending(deps: DispatchDeps): () => Promise<number> {
  const leaseMs = deps.leaseMs ?? 120_000
  const sendTimeoutMs = deps.sendTimeoutMs ?? 60_000
  const batchSize = deps.batchSize ?? 20
  let running: Promise<number> | undefined

  async function sendOne(message: ClaimedMessage, to: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('send timed out')), sendTimeoutMs)
    })
    try {
      await Promise.race([
        deps.sender.send({
          id: message.id,
          template: message.template,
          from: deps.from,
          to,
          subject: message.subject,
          text: message.text,
        }),
        timeout,
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  async function attempt(message: ClaimedMessage, to: string): Promise<boolean> {
    const fields = { messageId: message.id, template: message.template, attempts: message.attempts }
    try {
      await sendOne(message, to)
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500)
      const next = afterFailure(message.attempts, deps.maxAttempts)
      if (next.kind === 'give_up') {
        await deps.queue.markFailed(message.id, reason)
        deps.log.error({ ...fields, error: reason }, 'message not sent; giving up')
      } else {
        await deps.queue.markRetry(
          message.id,
          new Date(deps.now().getTime() + next.delayMs),
          reason,
        )
        deps.log.warn({ ...fields, error: reason, retryInMs: next.delayMs }, 'message not sent')
      }
      return false
    }
    return true
  }

  async function run(): Promise<number> {
    let sent = 0
    for (;;) {
      const now = deps.now()
      const claimed = await deps.queue.claimDue(now, new Date(now.getTime() + leaseMs), batchSize)
      if (claimed.length === 0) break
      // Addresses are looked up again at each attempt: a user.registered that arrived after
      // the order event still gets the message to the right inbox.
      const unknown = claimed.filter((m) => m.to.startsWith('user:')).map((m) => m.userId)
      const emails = unknown.length > 0 ? await deps.queue.emailsOf(unknown) : new Map()
      const to = claimed.map((message) =>
        message.to.startsWith('user:') ? (emails.get(message.userId) ?? message.to) : message.to,
      )
      // At once, so that every send of the batch ends (or times out) well within its lease.
      const outcomes = await Promise.allSettled(
        claimed.map((message, i) => attempt(message, to[i]!)),
      )
      const done = claimed.flatMap((message, i) => {
        const outcome = outcomes[i]!
        // A failure that could not be recorded: the message comes due again after its lease.
        if (outcome.status === 'rejected') {
          deps.log.warn({ err: outcome.reason, messageId: message.id }, 'send outcome not saved')
        }
        return outcome.status === 'fulfilled' && outcome.value
          ? [{ id: message.id, to: to[i]! }]
          : []
      })
      // One write for the batch. A crash before it leaves these pending: they are sent again
      // after their lease (at-least-once); failed ones were marked each on its own above.
      await deps.queue.markSent(done, deps.now())
      sent += done.length
      if (claimed.length < batchSize) break
    }
    return sent
  }

  return () => {
    running ??= run().finally(() => {
      running = undefined
    })
    return running
  }
}
