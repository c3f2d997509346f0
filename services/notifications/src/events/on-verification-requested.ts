import type { users } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform'
import { emailVerificationMessage } from '../domain/message-templates.js'
import type { ConsumerDeps } from './deps.js'

/**
 * `user.verification-requested`: the link goes to the address being proven, the one the event
 * names (not a recipient saved earlier: that is the address in question).
 */
export function onVerificationRequested(deps: Pick<ConsumerDeps, 'writerIn'>) {
  return async (data: users.UserVerificationRequestedData, { trx, envelope }: HandlerContext) => {
    await deps.writerIn(trx).enqueue({
      ...emailVerificationMessage(data, data.name),
      eventId: envelope.id,
      userId: data.userId,
      orderId: null,
      to: data.email,
    })
  }
}
