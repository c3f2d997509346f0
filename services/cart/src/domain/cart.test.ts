import { describe, expect, it } from 'vitest'
import {
  addLine,
  chooseVariant,
  emptyCart,
  lineOfProduct,
  removeLine,
  setLineQuantity,
  stampSince,
  type CartLine,
  type StoredCart,
} from './cart.js'
import { priceCart, type PriceEntry } from './pricing.js'

const t0 = new Date('2026-01-01T00:00:00Z')
const product = (id: string, amount = 1000, available = 50, currency = 'USD') => ({
  productId: id,
  variantId: id,
  name: `P ${id}`,
  unitPrice: { amount, currency },
  available,
})
const withLines = (lines: StoredCart['lines']): StoredCart => ({
  ...emptyCart('u1'),
  lines,
  version: 1,
})
const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return (error as { code: string }).code
  }
  return 'no error'
}

describe('cart rules', () => {
  it('adds a line, then merges quantities and refreshes the price', () => {
    const one = withLines(addLine(emptyCart('u1'), product('a'), 2, t0))
    const two = addLine(one, product('a', 1200), 3, t0)
    expect(two).toEqual([
      expect.objectContaining({
        productId: 'a',
        quantity: 5,
        unitPrice: { amount: 1200, currency: 'USD' },
      }),
    ])
  })

  it('refuses a merged quantity over 99, over available, a 101st line, another currency', () => {
    const cart = withLines(addLine(emptyCart('u1'), product('a', 1000, 500), 60, t0))
    expect(code(() => addLine(cart, product('a', 1000, 500), 40, t0))).toBe('CART.QUANTITY_LIMIT')
    expect(code(() => addLine(cart, product('a', 1000, 61), 2, t0))).toBe('CART.NOT_ENOUGH_STOCK')
    expect(code(() => addLine(cart, product('b', 1, 9, 'EUR'), 1, t0))).toBe(
      'CART.CURRENCY_MISMATCH',
    )
    let full = emptyCart('u1')
    for (let i = 0; i < 100; i++) full = withLines(addLine(full, product(`p${i}`), 1, t0))
    expect(code(() => addLine(full, product('x'), 1, t0))).toBe('CART.TOO_MANY_LINES')
    expect(addLine(full, product('p3'), 1, t0)).toHaveLength(100)
  })

  it('sets and removes lines; an absent line is 404', () => {
    const cart = withLines(addLine(emptyCart('u1'), product('a'), 2, t0))
    expect(setLineQuantity(cart, product('a'), 7, t0)[0]!.quantity).toBe(7)
    expect(code(() => setLineQuantity(cart, product('b'), 1, t0))).toBe('CART.LINE_NOT_FOUND')
    expect(code(() => setLineQuantity(cart, product('a', 1, 3), 4, t0))).toBe(
      'CART.NOT_ENOUGH_STOCK',
    )
    expect(removeLine(cart, 'a')).toEqual([])
    expect(code(() => removeLine(cart, 'b'))).toBe('CART.LINE_NOT_FOUND')
  })
})

describe('variants in the cart', () => {
  const tee = {
    productId: 'tee',
    name: 'Tee',
    variants: [
      {
        variantId: 'tee',
        label: 'S / Black',
        unitPrice: { amount: 1999, currency: 'USD' },
        available: 5,
      },
      {
        variantId: 'tee-m',
        label: 'M / Blue',
        unitPrice: { amount: 2199, currency: 'USD' },
        available: 1,
      },
    ],
  }

  it('needs the variant of a product of several, and takes the only one of a product of one', () => {
    expect(chooseVariant(tee, 'tee-m')).toEqual({
      productId: 'tee',
      variantId: 'tee-m',
      variantLabel: 'M / Blue',
      name: 'Tee',
      unitPrice: { amount: 2199, currency: 'USD' },
      available: 1,
    })
    expect(code(() => chooseVariant(tee))).toBe('CART.VARIANT_REQUIRED')
    expect(code(() => chooseVariant(tee, 'tee-xl'))).toBe('CART.VARIANT_NOT_FOUND')
    const lamp = {
      productId: 'lamp',
      name: 'Lamp',
      variants: [{ variantId: 'lamp', unitPrice: { amount: 5, currency: 'USD' }, available: 1 }],
    }
    expect(chooseVariant(lamp)).toMatchObject({ productId: 'lamp', variantId: 'lamp' })
    expect(chooseVariant(lamp).variantLabel).toBeUndefined()
  })

  it('keeps each variant of a product on a line of its own, its stock checked alone', () => {
    let cart = withLines(addLine(emptyCart('u1'), chooseVariant(tee, 'tee'), 2, t0))
    cart = withLines(addLine(cart, chooseVariant(tee, 'tee-m'), 1, t0))
    cart = withLines(addLine(cart, chooseVariant(tee, 'tee'), 1, t0))
    expect(cart.lines.map((l) => [l.variantId, l.variantLabel, l.quantity])).toEqual([
      ['tee', 'S / Black', 3],
      ['tee-m', 'M / Blue', 1],
    ])
    expect(code(() => addLine(cart, chooseVariant(tee, 'tee-m'), 1, t0))).toBe(
      'CART.NOT_ENOUGH_STOCK',
    )
    // Naming a line by its product: the variant is needed once the cart holds two of it.
    expect(code(() => lineOfProduct(cart, 'tee'))).toBe('CART.VARIANT_REQUIRED')
    expect(lineOfProduct(cart, 'tee', 'tee-m')).toBe('tee-m')
    expect(code(() => lineOfProduct(cart, 'lamp', 'tee-m'))).toBe('CART.LINE_NOT_FOUND')
    expect(removeLine(cart, 'tee-m').map((l) => l.variantId)).toEqual(['tee'])
    // A line stored before variants is its product's first variant's.
    const old = withLines([{ ...cart.lines[0]!, variantId: undefined, variantLabel: undefined }])
    expect(lineOfProduct(old, 'tee')).toBe('tee')
    expect(addLine(old, chooseVariant(tee, 'tee'), 1, t0)).toHaveLength(1)
  })

  it("prices a line from its variant's copy, and leaves a deleted product's every variant out", () => {
    const cart = withLines([
      ...addLine(emptyCart('u1'), chooseVariant(tee, 'tee'), 1, t0),
      ...addLine(emptyCart('u1'), chooseVariant(tee, 'tee-m'), 1, t0),
    ])
    const later = '2026-01-02T00:00:00Z'
    const options = { catalogReachable: true, defaultCurrency: 'USD', now: t0 }
    const priced = priceCart(
      cart,
      new Map<string, PriceEntry>([
        [
          'tee-m',
          {
            productId: 'tee',
            variantId: 'tee-m',
            label: 'M / Navy',
            name: 'Tee',
            price: { amount: 2500, currency: 'USD' },
            deleted: false,
            asOf: later,
          },
        ],
      ]),
      options,
    )
    expect(priced.items.map((i) => [i.variantId, i.variantLabel, i.unitPrice.amount])).toEqual([
      ['tee', 'S / Black', 1999],
      ['tee-m', 'M / Navy', 2500],
    ])
    // The product's own entry says it left: every variant's line, seen by the copy or not.
    const gone = priceCart(
      cart,
      new Map<string, PriceEntry>([
        ['tee', { productId: 'tee', name: '', price: null, deleted: true, asOf: later }],
      ]),
      options,
    )
    expect(gone.items.every((i) => i.unavailable)).toBe(true)
    expect(gone.subtotal.amount).toBe(0)
  })
})

describe('pricing', () => {
  const cart = withLines([
    ...addLine(emptyCart('u1'), product('a', 1000), 2, t0),
    ...addLine(emptyCart('u1'), product('b', 250), 4, t0),
  ])
  const options = { catalogReachable: true, defaultCurrency: 'USD', now: t0 }

  it('totals lines at their stored prices', () => {
    const priced = priceCart(cart, new Map(), options)
    expect(priced.subtotal).toEqual({ amount: 3000, currency: 'USD' })
    expect(priced.itemCount).toBe(6)
    expect(priced.stale).toBeUndefined()
    expect(priced.items[1]!.lineTotal).toEqual({ amount: 1000, currency: 'USD' })
  })

  it('takes a newer copy, ignores an older one, leaves deleted products out', () => {
    const copy = (
      id: string,
      asOf: string,
      rest: Partial<PriceEntry> = {},
    ): [string, PriceEntry] => [
      id,
      {
        productId: id,
        name: `new ${id}`,
        price: { amount: 900, currency: 'USD' },
        deleted: false,
        asOf,
        ...rest,
      },
    ]
    const priced = priceCart(
      cart,
      new Map([copy('a', '2026-01-02T00:00:00Z'), copy('b', '2025-12-31T00:00:00Z')]),
      options,
    )
    expect(priced.items[0]).toMatchObject({
      name: 'new a',
      unitPrice: { amount: 900 },
      previousUnitPrice: { amount: 1000 },
    })
    expect(priced.items[1]).toMatchObject({ name: 'P b', unitPrice: { amount: 250 } })
    expect(priced.subtotal.amount).toBe(2800)
    expect(priced.priceChanged).toBe(true)
    const gone = priceCart(
      cart,
      new Map([copy('b', '2026-01-02T00:00:00Z', { deleted: true })]),
      options,
    )
    expect(gone.items[1]).toMatchObject({ unavailable: true, lineTotal: { amount: 0 } })
    expect(gone.subtotal.amount).toBe(2000)
    expect(gone.itemCount).toBe(2)
  })

  it('marks everything stale while the catalog is unreachable; an empty cart uses the default currency', () => {
    const priced = priceCart(cart, new Map(), { ...options, catalogReachable: false })
    expect(priced.stale).toBe(true)
    expect(priced.items.every((i) => i.stale)).toBe(true)
    const empty = priceCart(emptyCart('u1'), new Map(), options)
    expect(empty).toEqual({
      items: [],
      subtotal: { amount: 0, currency: 'USD' },
      itemCount: 0,
      updatedAt: t0.toISOString(),
      version: 0,
    })
  })
})

describe('stampSince', () => {
  const at = (productId: string, quantity: number, since?: number): CartLine => ({
    productId,
    name: productId,
    unitPrice: { amount: 100, currency: 'USD' },
    quantity,
    pricedAt: '2026-01-01T00:00:00.000Z',
    ...(since !== undefined && { since }),
  })

  it("gives a line new to the cart this write's version; a held line keeps its own", () => {
    const before = [at('a', 1, 2), at('old', 1)]
    // The change rebuilt a's line (a quantity set) and added b; old is a line from before versions.
    const after = [at('a', 3), at('old', 2), at('b', 1)]
    expect(stampSince(before, after, 5)).toEqual([at('a', 3, 2), at('old', 2), at('b', 1, 5)])
  })

  it('starts a line taken out and added again anew', () => {
    const removed = stampSince([at('a', 1, 1)], [], 2)
    expect(stampSince(removed, [at('a', 1)], 3)).toEqual([at('a', 1, 3)])
  })

  it("never keeps a since the change brought from elsewhere (a guest's line merged in)", () => {
    expect(stampSince([at('a', 1)], [at('a', 2, 9), at('b', 1, 9)], 4)).toEqual([
      at('a', 2),
      at('b', 1, 4),
    ])
  })
})
