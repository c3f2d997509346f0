import Type from 'typebox'
import { PriceAmount } from './text.js'

/** Money in integer minor units and an ISO 4217 currency code; never a float. */
export const Money = Type.Object(
  {
    /** Amount in minor units (cents for USD); a safe integer (below 2^53). */
    amount: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    /** ISO 4217 currency code, upper case. */
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
)
export type Money = Type.Static<typeof Money>

/** A unit price as a client sets it: Money whose amount is at most `maxPriceAmount` (10^11). */
export const Price = Type.Object(
  {
    /** Amount in minor units, 0 to 10^11. */
    amount: PriceAmount,
    /** ISO 4217 currency code, upper case. */
    currency: Money.properties.currency,
  },
  { additionalProperties: false, description: 'Unit price: minor units (at most 10^11).' },
)
export type Price = Type.Static<typeof Price>
