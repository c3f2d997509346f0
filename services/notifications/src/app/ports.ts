import type { HandlerContext } from '@emporium/platform/app'
import type { RenderedMessage, Template } from '../domain/message-templates.js'
import type { OrderCopy } from '../domain/order-copy.js'
import type { OrderStatus, StatusFact } from '../domain/order-status.js'

/** One status an order entered, as the status stream sends it (`seq` is the SSE event id). */
export interface StatusChange {
  seq: number
  orderId: string
  status: OrderStatus
  cancellationReason: string | null
  /** RFC 3339: when the order entered the status. */
  at: string
}

/** A change as the consumer that made it committed it, which it hands to the streams. */
export interface CommittedChange extends StatusChange {
  /** The order's owner. */
  userId: string
  /** `seq` of the order's change just before this one; null when this is its first. */
  previousSeq: number | null
}

/** What a stream starts from (see `StatusReader.opening`). */
export interface Opening {
  /** The order's owner; undefined until any of its events has arrived. */
  owner?: string
  changes: StatusChange[]
}

/** Reads of the status projection, outside any transaction (any replica sees every change). */
export interface StatusReader {
  /**
   * A stream's start, in one read: the order's owner (undefined until any of its events has
   * arrived) and its changes with `seq` above `after`, oldest first, or its latest change alone
   * when `after` is absent or not below the latest's `seq` (more than these is harmless). The
   * latest is always the last one.
   */
  opening(orderId: string, after?: number): Promise<Opening>
  /** The order's changes with `seq` above `seq`, oldest first. */
  changesAfter(orderId: string, seq: number): Promise<StatusChange[]>
  /** The highest `seq` of each of these orders that has any change. */
  latestSeqs(orderIds: readonly string[]): Promise<Map<string, number>>
}

export interface Recipient {
  userId: string
  email: string
  name: string
}

/** A message to queue, rendered when its event arrived. */
export interface NewMessage extends RenderedMessage {
  eventId: string
  userId: string
  orderId: string | null
  /** The e-mail address, or `user:<id>` while the user's address is not known yet. */
  to: string
}

/** Writes within the consumer's transaction (the inbox row commits with them). */
export interface NotificationWriter {
  /**
   * Applies a status fact to the projection if it moves the order forward, recording the
   * change under the event's id, and queues `message` (as `enqueue`) in the same write whether
   * or not the order moved. Returns the change, or undefined when the order did not change.
   */
  applyStatus(
    fact: StatusFact,
    eventId: string,
    message?: NewMessage,
  ): Promise<CommittedChange | undefined>
  recipient(userId: string): Promise<Recipient | undefined>
  saveRecipient(recipient: Recipient, registeredAt: Date): Promise<void>
  /** Queues a message; a second one for the same event and template is ignored. */
  enqueue(message: NewMessage): Promise<void>
  /**
   * Keeps the copy of a confirmed order (a second save of one order replaces the first), and
   * returns its owner's recipient if known, as `recipient` would (read in the same round trip:
   * the confirmation mail is addressed next).
   */
  saveOrder(
    copy: Omit<OrderCopy, 'shipmentsMailed'>,
    confirmedAt: Date,
  ): Promise<Recipient | undefined>
  /** The copy of an order, if its `order.confirmed` arrived. */
  order(orderId: string): Promise<OrderCopy | undefined>
  /** Counts a shipment e-mail queued for the order (nothing when no copy is kept). */
  countShipmentMail(orderId: string): Promise<void>
}

/** What an event consumer works with, bound to its inbox transaction. */
export interface ConsumerPorts {
  /** The writes, within the consumer's transaction. */
  writer: NotificationWriter
  /** Hands the change to this replica's streams of the order once the transaction commits. */
  changedAfterCommit(change: CommittedChange): void
}

/** The consumer's ports for its inbox transaction (wired by service.ts). */
export type ConsumerPortsIn = (trx: HandlerContext['trx']) => ConsumerPorts

/** A message claimed for one attempt to send it. */
export interface ClaimedMessage {
  id: string
  template: Template
  userId: string
  to: string
  subject: string
  text: string
  /** Attempts so far, this one included. */
  attempts: number
}

/** The queue of messages to send, shared by every replica. */
export interface MessageQueue {
  /**
   * Claims up to `limit` pending messages due at `now` (rows another replica is claiming are
   * skipped), counting the attempt and hiding them from other claims until `leaseUntil`.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedMessage[]>
  /** The known e-mail addresses of these users. */
  emailsOf(userIds: readonly string[]): Promise<Map<string, string>>
  /** Marks these messages sent, each to the address it went to, in one write. */
  markSent(sent: ReadonlyArray<{ id: string; to: string }>, at: Date): Promise<void>
  markRetry(id: string, nextAttemptAt: Date, error: string): Promise<void>
  markFailed(id: string, error: string): Promise<void>
}

/** A message on its way out. */
export interface OutgoingMessage {
  id: string
  template: Template
  from: string
  to: string
  subject: string
  text: string
}

/** Where messages go: the log, a file, an SMTP server. Throws when the message was not sent. */
export interface Sender {
  send(message: OutgoingMessage): Promise<void>
  close?(): Promise<void>
}

/** One open status stream's place in its user's allowance. */
export interface StreamSlot {
  /** Keeps the slot taken (a stream renews it at each heartbeat; a lost replica's expire). */
  renew(): Promise<void>
  /** Frees the slot; calling it again does nothing. */
  release(): Promise<void>
}

/** A user's open status streams, counted across every replica. */
export interface StreamSlots {
  /**
   * Takes one of the user's slots for a stream of `orderId`, and in the same round trip reads
   * what that stream opens with (as `StatusReader.opening`); undefined when all slots are taken.
   */
  acquire(
    userId: string,
    order: { orderId: string; after?: number },
  ): Promise<{ slot: StreamSlot; opening: Opening } | undefined>
}
