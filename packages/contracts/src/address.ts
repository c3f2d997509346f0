import Type from 'typebox'
import { Text } from './text.js'

/*
 * A postal address, as an order ships to it and as the address book saves it: one schema, so an
 * address saved in the book is always one checkout accepts.
 */

/** A shipping address. */
export const ShippingAddress = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    line1: Text({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Text({ maxLength: 200 })),
    city: Text({ minLength: 1, maxLength: 100 }),
    postalCode: Text({ minLength: 1, maxLength: 20 }),
    /** ISO 3166-1 alpha-2. */
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code.' }),
    region: Type.Optional(Text({ maxLength: 100 })),
    phone: Type.Optional(Text({ maxLength: 40 })),
  },
  { additionalProperties: false },
)
export type ShippingAddress = Type.Static<typeof ShippingAddress>
