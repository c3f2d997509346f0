import { describe, expect, it } from 'vitest'
import type { DatabaseKind } from '@emporium/platform'
import { cartOnceCases } from './cart-once-cases.js'
import { checkoutPricingCases, taxInclusiveSuite } from './checkout-pricing-cases.js'
import { ordersHarness } from './harness.js'
import { manageCases } from './manage-cases.js'
import { placementCases } from './placement-cases.js'
import { retryCases } from './retry-cases.js'
import { sagaCases } from './saga-cases.js'

/**
 * The orders service end to end over real HTTP against one database kind (one database, one
 * service, shared by every case of the file).
 */
export function ordersSuite(kind: DatabaseKind): void {
  describe(`orders service on ${kind}: placement, saga, cancel, ship and listing over HTTP`, () => {
    const h = ordersHarness(kind)
    placementCases(h)
    cartOnceCases(h)
    sagaCases(h)
    retryCases(h)
    manageCases(h)
    checkoutPricingCases(h)
    // Every event above was handled or deliberately ignored: none made a handler throw.
    it('dead-lettered no event', async () => {
      expect(await h.bus.deadLetters.list('orders')).toEqual([])
    })
  })
  taxInclusiveSuite(kind)
}
