import { createAddItem } from './add-item.js'
import { createClearCart } from './clear-cart.js'
import { fakeCartStore, fakeCatalog, fakePriceCopy } from './fakes-test-support.js'
import { createGetCart } from './get-cart.js'
import { createRemoveItem } from './remove-item.js'
import { createSettleOrderedLines } from './settle-ordered-lines.js'
import { createShowCart } from './show-cart.js'
import { createSweepIdleCarts } from './sweep-idle-carts.js'
import { createUpdateItem } from './update-item.js'

/**
 * Every cart use case wired to the same fakes and clock, as the service wires them: each use
 * case's test drives its own and reads the others to see the cart it left.
 */
export function setup() {
  let clock = new Date('2026-03-01T10:00:00Z')
  const now = () => clock
  const store = fakeCartStore()
  const catalog = fakeCatalog([
    { productId: 'a', name: 'Lamp', unitPrice: { amount: 1999, currency: 'USD' }, available: 10 },
  ])
  const prices = fakePriceCopy()
  const showCart = createShowCart({ prices, catalog, defaultCurrency: 'USD', now })
  const deps = { store, catalog, showCart, now }
  return {
    store,
    catalog,
    prices,
    showCart,
    advance: (ms: number) => (clock = new Date(clock.getTime() + ms)),
    getCart: createGetCart({ store, showCart }),
    addItem: createAddItem(deps),
    updateItem: createUpdateItem(deps),
    removeItem: createRemoveItem({ store, showCart, now }),
    clearCart: createClearCart({ store, now }),
    settle: createSettleOrderedLines({ store, now }),
    sweep: createSweepIdleCarts({ store, idleTtlMs: 30 * 86_400_000, now }),
  }
}

/** The code of the error a use case rejects with, or `'no error'`. */
export const rejects = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: { code: string }) => e.code,
  )
