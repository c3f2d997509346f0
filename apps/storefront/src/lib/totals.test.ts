import { describe, expect, it } from 'vitest'
import {
  breakdownRows,
  deliveryWords,
  destinationOf,
  normalizePromotionCode,
  orderTotals,
  sameDestination,
  shippingOptionLabel,
} from './totals'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const rowsText = (rows: ReturnType<typeof breakdownRows>) =>
  rows.map((row) => `${row.label}: ${row.value}`)

describe('the totals breakdown', () => {
  it('shows the discount with its code, shipping with its method, tax added, and the total', () => {
    const rows = breakdownRows(
      {
        subtotal: usd(10_000),
        discount: usd(1_000),
        shipping: usd(500),
        tax: usd(1_900),
        total: usd(11_400),
        taxInclusive: false,
      },
      {
        promotionCode: 'SAVE10',
        shippingMethod: { id: 'm', name: 'Express', carrier: 'DHL', price: usd(500) },
      },
    )
    expect(rowsText(rows)).toEqual([
      'Subtotal: $100.00',
      'Discount (SAVE10): −$10.00',
      'Shipping (Express by DHL): $5.00',
      'Tax: $19.00',
      'Total: $114.00',
    ])
    expect(rows.map((row) => row.key)).toEqual(['subtotal', 'discount', 'shipping', 'tax', 'total'])
  })

  it('says "Incl. tax" for prices that include it, free shipping, and no discount row at 0', () => {
    const rows = breakdownRows({
      subtotal: usd(1_200),
      discount: usd(0),
      shipping: usd(0),
      tax: usd(200),
      total: usd(1_200),
      taxInclusive: true,
    })
    expect(rowsText(rows)).toEqual([
      'Subtotal: $12.00',
      'Shipping: Free',
      'Incl. tax: $2.00',
      'Total: $12.00',
    ])
  })

  it('says shipping and tax come at checkout when there is no destination yet', () => {
    const rows = breakdownRows(
      {
        subtotal: usd(999),
        discount: usd(0),
        shipping: usd(0),
        tax: usd(0),
        total: usd(999),
        taxInclusive: false,
      },
      { shippingKnown: false },
    )
    expect(rowsText(rows)).toEqual([
      'Subtotal: $9.99',
      'Shipping and tax: Calculated at checkout',
      'Total: $9.99',
    ])
  })

  it("formats in the currency's own minor units (yen has none)", () => {
    const yen = (amount: number) => ({ amount, currency: 'JPY' })
    const rows = breakdownRows({
      subtotal: yen(1_000),
      discount: yen(100),
      shipping: yen(300),
      tax: yen(120),
      total: yen(1_320),
      taxInclusive: false,
    })
    expect(rowsText(rows)).toEqual([
      'Subtotal: ¥1,000',
      'Discount: −¥100',
      'Shipping: ¥300',
      'Tax: ¥120',
      'Total: ¥1,320',
    ])
  })

  it('reads an order from before issue 18 as its total alone', () => {
    expect(orderTotals({ total: usd(2_500) })).toEqual({
      subtotal: usd(2_500),
      discount: usd(0),
      shipping: usd(0),
      tax: usd(0),
      total: usd(2_500),
      taxInclusive: false,
    })
  })
})

describe('shipping options and destinations', () => {
  it('labels an option with its carrier, price and days', () => {
    expect(
      shippingOptionLabel({
        methodId: 'm',
        name: 'Standard',
        carrier: 'UPS',
        price: usd(499),
        estimatedDays: { min: 2, max: 4 },
      }),
    ).toBe('Standard (UPS) · $4.99 · 2–4 business days')
    expect(
      shippingOptionLabel({ methodId: 'm', name: 'DHL Express', carrier: 'dhl', price: usd(0) }),
    ).toBe('DHL Express · Free')
    expect(deliveryWords({ min: 1, max: 1 })).toBe('1 business day')
    expect(deliveryWords(undefined)).toBe('')
  })

  it('makes a destination of an address: country upper-case, empty parts left out', () => {
    expect(destinationOf({ country: 'de', region: ' ', postalCode: ' 10115 ' })).toEqual({
      country: 'DE',
      postalCode: '10115',
    })
    expect(destinationOf({ country: '' })).toBeUndefined()
    expect(destinationOf({ country: 'DEU' })).toBeUndefined()
    expect(sameDestination({ country: 'DE' }, destinationOf({ country: 'de' }))).toBe(true)
    expect(sameDestination({ country: 'DE' }, { country: 'DE', region: 'BE' })).toBe(false)
    expect(normalizePromotionCode('  save10 ')).toBe('SAVE10')
  })
})
