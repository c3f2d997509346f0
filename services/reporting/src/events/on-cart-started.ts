import { cart } from '@emporium/contracts'
import type { ProjectionsIn } from '../app/ports.js'
import { projected } from './projected.js'

/** `cart.started`: a shopper's cart got its first line; the day's carts (conversion's denominator). */
export const onCartStarted = (deps: { projectionsIn: ProjectionsIn }) =>
  projected(cart.CartStarted, deps, (run, projections) =>
    projections.cartsStarted(
      run.map(({ data }) => ({ cartId: data.cartId, guest: data.guest, at: new Date(data.at) })),
    ),
  )
