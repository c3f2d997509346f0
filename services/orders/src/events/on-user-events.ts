import { users } from '@emporium/contracts'
import { handler, type HandlerContext } from '@emporium/platform'
import type { OrderTx } from '../app/ports.js'

/** What the users consumer needs: the orders of the inbox's transaction. */
export interface UserHandlerDeps {
  ordersIn: (trx: HandlerContext['trx']) => OrderTx
}

/**
 * `user.registered`: orders keeps the account's e-mail (accounts never change it), so that an
 * account's order carries `customerEmail` for the staff's search without asking the users
 * service at placement; orders placed before the event arrived get it now (issue 19).
 */
export const onUserRegistered = (deps: UserHandlerDeps) =>
  handler(users.UserRegistered, {
    adapters: deps.ordersIn,
    handle: (data, orders) =>
      orders.rememberCustomer(data.userId, data.email.toLowerCase(), new Date(data.registeredAt)),
  })
