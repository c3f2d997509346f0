import Type from 'typebox'

/** The tax class of a product that names none (and of every product before tax classes). */
export const standardTaxClass = 'standard'

/**
 * A product's tax class (issue 18): the catalog keeps it on the product, the orders service's
 * tax rates are per class. 1 to 32 of `a-z`, `0-9` and `-`.
 */
export const TaxClass = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[a-z0-9-]+$',
  description:
    "A product's tax class: 1 to 32 characters a-z, 0-9 and '-' (default standard). A class " +
    "with no rate at a destination is taxed at the destination's standard rate.",
})
export type TaxClass = Type.Static<typeof TaxClass>

/** A variant's shipping weight in grams: an integer from 0 to 10^9 (a thousand tonnes). */
export const WeightGrams = Type.Integer({
  minimum: 0,
  maximum: 1_000_000_000,
  description: "The variant's shipping weight in grams (0 to 10^9; default 0).",
})
