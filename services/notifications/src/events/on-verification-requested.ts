import { users } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn } from '../app/ports.js'
import { emailVerificationMessage } from '../domain/message-templates.js'

/**
 * `user.verification-requested`: the link goes to the address being proven, the one the event
 * names (not a recipient saved earlier: that is the address in question).
 */
export function onVerificationRequested(deps: { portsIn: ConsumerPortsIn }) {
  return handler(users.UserVerificationRequested, {
    adapters: deps.portsIn,
    async handle(data, { writer }, { envelope }) {
      await writer.enqueue({
        ...emailVerificationMessage(data, data.name),
        eventId: envelope.id,
        userId: data.userId,
        orderId: null,
        to: data.email,
      })
    },
  })
}
