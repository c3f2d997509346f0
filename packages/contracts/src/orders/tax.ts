import Type from 'typebox'
import { TaxClass } from '../tax-class.js'
import { Id as IdOf, Text } from '../text.js'

export { TaxClass } from '../tax-class.js'

/*
 * Tax rates, managed by admins in the orders service (issue 18; docs/checkout.md, "Totals and
 * rounding"): `GET /tax-rates`, `PUT /tax-rates`, `DELETE /tax-rates/{id}`, under `/api/v1` at
 * the gateway.
 */

/** ISO 3166-1 alpha-2 country code. */
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code.' })

/** A rate in basis points: 0 to 10000 (2000 = 20 %). */
const RateBasisPoints = Type.Integer({
  minimum: 0,
  maximum: 10_000,
  description: 'The rate in basis points, 0 to 10000 (2000 = 20 %).',
})

/** One tax rate: a country's (region null) or one region's, for one tax class. */
export const TaxRate = Type.Object({
  /** The rate's id. */
  id: Type.String({ description: "The rate's id." }),
  /** ISO 3166-1 alpha-2 country code. */
  country: Country,
  /** A region of the country (matched case-insensitively with the address's); null: the whole country. */
  region: Type.Union([Type.String(), Type.Null()], {
    description:
      "A region of the country, matched case-insensitively with the shipping address's region; " +
      "null: the whole country. A region's rate beats the country's.",
  }),
  /** The tax class the rate applies to. */
  taxClass: TaxClass,
  /** The rate in basis points. */
  rateBasisPoints: RateBasisPoints,
})
export type TaxRate = Type.Static<typeof TaxRate>

/** Every tax rate, by country, region (the country's own first) and class. */
export const TaxRateList = Type.Object({
  /** The rates. */
  items: Type.Array(TaxRate, { description: 'The rates.' }),
})
export type TaxRateList = Type.Static<typeof TaxRateList>

/** `PUT /tax-rates`: sets the rate of (country, region, taxClass), creating it if new. */
export const PutTaxRateBody = Type.Object(
  {
    /** ISO 3166-1 alpha-2 country code. */
    country: Country,
    /** A region of the country; absent or null: the whole country. */
    region: Type.Optional(
      Type.Union([Text({ minLength: 1, maxLength: 100 }), Type.Null()], {
        description: 'A region of the country (1 to 100 characters); absent or null: the country.',
      }),
    ),
    /** The tax class (default `standard`). */
    taxClass: Type.Optional(TaxClass),
    /** The rate in basis points. */
    rateBasisPoints: RateBasisPoints,
  },
  { additionalProperties: false },
)
export type PutTaxRateBody = Type.Static<typeof PutTaxRateBody>

/** `{id}` of `DELETE /tax-rates/{id}`. */
export const TaxRateParams = Type.Object({
  /** The rate's id. */
  id: IdOf({ description: "The rate's id." }),
})
export type TaxRateParams = Type.Static<typeof TaxRateParams>
