import type { users } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform'
import type { ConsumerDeps } from './deps.js'

/** `user.registered`: where and by what name the shopper is addressed. */
export function onUserRegistered(deps: Pick<ConsumerDeps, 'writerIn'>) {
  return async (data: users.UserRegisteredData, { trx }: HandlerContext) => {
    await deps
      .writerIn(trx)
      .saveRecipient(
        { userId: data.userId, email: data.email, name: data.name },
        new Date(data.registeredAt),
      )
  }
}
