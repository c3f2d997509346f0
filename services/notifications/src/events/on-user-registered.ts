import { users } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn } from '../app/ports.js'

/** `user.registered`: where and by what name the shopper is addressed. */
export function onUserRegistered(deps: { portsIn: ConsumerPortsIn }) {
  return handler(users.UserRegistered, {
    adapters: deps.portsIn,
    async handle(data, { writer }) {
      await writer.saveRecipient(
        { userId: data.userId, email: data.email, name: data.name },
        new Date(data.registeredAt),
      )
    },
  })
}
