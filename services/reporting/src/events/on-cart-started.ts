import { cart } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ProjectionsIn } from '../app/ports.js'

/** `cart.started`: a shopper's cart got its first line; the day's carts (conversion's denominator). */
export const onCartStarted = (deps: { projectionsIn: ProjectionsIn }) =>
  handler(cart.CartStarted, {
    adapters: deps.projectionsIn,
    async handle(data, projections) {
      await projections.cartStarted({
        cartId: data.cartId,
        guest: data.guest,
        at: new Date(data.at),
      })
    },
  })
