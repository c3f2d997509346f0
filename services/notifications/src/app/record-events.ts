import type { RenderedMessage } from '../domain/message-templates.js'
import type { StatusFact } from '../domain/order-status.js'
import type { CommittedChange, NewMessage, NotificationWriter, Recipient } from './ports.js'

/** Renders a message for a recipient whose name may not be known yet. */
export type Render = (name: string | undefined) => RenderedMessage

/** The user's recipient when the caller read it already (null: the user has none yet). */
export type KnownRecipient = Recipient | null

/**
 * An order event: the projection moves forward if the status is ahead of the current one, and
 * the shopper's message (if the event has one) is queued either way: every order event is a
 * fact the orders service committed, so a message for it is due even when it arrives after a
 * later status. The message is addressed first, so that it is queued with the status in one
 * write. Returns the change, when the projection changed.
 */
export async function recordOrderFact(
  writer: NotificationWriter,
  input: {
    eventId: string
    fact: StatusFact
    render?: Render
    to?: string
    recipient?: KnownRecipient
  },
): Promise<CommittedChange | undefined> {
  const message =
    input.render &&
    (await addressed(writer, {
      eventId: input.eventId,
      userId: input.fact.userId,
      orderId: input.fact.orderId,
      render: input.render,
      ...(input.to !== undefined && { to: input.to }),
      ...(input.recipient !== undefined && { recipient: input.recipient }),
    }))
  return writer.applyStatus(input.fact, input.eventId, message)
}

interface MessageFor {
  eventId: string
  userId: string
  orderId: string | null
  render: Render
  to?: string
  recipient?: KnownRecipient
}

/** Queues the shopper's message (addressed as `addressed` says). */
export async function queueMessage(writer: NotificationWriter, input: MessageFor): Promise<void> {
  await writer.enqueue(await addressed(writer, input))
}

/**
 * The shopper's message, addressed to `to` when given (a guest's address from the event), else
 * to the account's e-mail if it is known already, else to the address of a guest's order kept
 * from its `order.confirmed`; else `user:<id>`, which the dispatcher resolves at each attempt.
 * The account's recipient is read unless the caller read it already.
 */
async function addressed(writer: NotificationWriter, input: MessageFor): Promise<NewMessage> {
  const recipient =
    input.recipient === undefined
      ? await writer.recipient(input.userId)
      : (input.recipient ?? undefined)
  const guest =
    input.to || recipient || !input.orderId ? undefined : (await writer.order(input.orderId))?.email
  return {
    ...input.render(recipient?.name),
    eventId: input.eventId,
    userId: input.userId,
    orderId: input.orderId,
    to: input.to || recipient?.email || guest || `user:${input.userId}`,
  }
}
