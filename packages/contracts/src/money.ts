import Type from 'typebox'

/** Money in integer minor units and an ISO 4217 currency code; never a float. */
export const Money = Type.Object(
  {
    /** Amount in minor units (cents for USD). */
    amount: Type.Integer({ minimum: 0 }),
    /** ISO 4217 currency code, upper case. */
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
)
export type Money = Type.Static<typeof Money>
