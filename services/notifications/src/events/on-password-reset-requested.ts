import { users } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn } from '../app/ports.js'
import { passwordResetMessage } from '../domain/message-templates.js'

/**
 * `user.password-reset-requested`: the link goes to the account's address as the event names it
 * (the users service sends it only for an existing account, to that account's address).
 */
export function onPasswordResetRequested(deps: { portsIn: ConsumerPortsIn }) {
  return handler(users.UserPasswordResetRequested, {
    adapters: deps.portsIn,
    async handle(data, { writer }, { envelope }) {
      await writer.enqueue({
        ...passwordResetMessage(data, data.name),
        eventId: envelope.id,
        userId: data.userId,
        orderId: null,
        to: data.email,
      })
    },
  })
}
