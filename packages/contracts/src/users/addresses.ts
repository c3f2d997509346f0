import Type from 'typebox'
import { ShippingAddress } from '../address.js'
import { Text } from '../text.js'

/*
 * The address book (API.md, "Identity"): the caller's own saved addresses, at
 * `/users/me/addresses`. Another account's address is a 404, as an unknown one is.
 */

/** How many addresses one account may save. */
export const maxSavedAddresses = 20

const fields = ShippingAddress.properties

const Label = Text({
  minLength: 1,
  maxLength: 50,
  description: 'A name for the address (`Home`, `Work`), at most 50 characters.',
})

const IsDefault = Type.Boolean({
  description:
    'The default address: exactly one of a non-empty book. `true` makes this one the default ' +
    '(the previous default is no longer one).',
})

/** Body of `POST /users/me/addresses`: a shipping address, and optionally a label and default. */
export const AddressInput = Type.Object(
  {
    ...fields,
    /** A name for the address (`Home`, `Work`). */
    label: Type.Optional(Label),
    /** Make it the default (the first address saved is the default anyway). */
    isDefault: Type.Optional(IsDefault),
  },
  { additionalProperties: false },
)
export type AddressInput = Type.Static<typeof AddressInput>

/**
 * Body of `PATCH /users/me/addresses/{id}`: the fields to change. `line2`, `region`, `phone` and
 * `label` may be null to clear them. `isDefault: false` on the default address is a 400
 * `USERS.DEFAULT_ADDRESS_REQUIRED` (make another one the default instead).
 */
export const AddressPatch = Type.Object(
  {
    name: Type.Optional(fields.name),
    line1: Type.Optional(fields.line1),
    line2: Type.Optional(Type.Union([Text({ maxLength: 200 }), Type.Null()])),
    city: Type.Optional(fields.city),
    postalCode: Type.Optional(fields.postalCode),
    country: Type.Optional(fields.country),
    region: Type.Optional(Type.Union([Text({ maxLength: 100 }), Type.Null()])),
    phone: Type.Optional(Type.Union([Text({ maxLength: 40 }), Type.Null()])),
    label: Type.Optional(Type.Union([Label, Type.Null()])),
    isDefault: Type.Optional(IsDefault),
  },
  { additionalProperties: false },
)
export type AddressPatch = Type.Static<typeof AddressPatch>

/** A saved address, as `GET /users/me/addresses` lists it. */
export const SavedAddress = Type.Object({
  /** Opaque id (a UUID). */
  id: Type.String({ description: 'Opaque id (a UUID).' }),
  /** Its label, or null. */
  label: Type.Union([Type.String(), Type.Null()], { description: 'Its label, or null.' }),
  name: Type.String({ description: 'Recipient.' }),
  line1: Type.String({ description: 'First address line.' }),
  line2: Type.Optional(Type.String({ description: 'Second address line.' })),
  city: Type.String({ description: 'City.' }),
  postalCode: Type.String({ description: 'Postal code.' }),
  country: Type.String({ description: 'ISO 3166-1 alpha-2 code.' }),
  region: Type.Optional(Type.String({ description: 'Region, state or province.' })),
  phone: Type.Optional(Type.String({ description: 'Phone number.' })),
  /** Whether it is the default address (exactly one of a non-empty book is). */
  isDefault: Type.Boolean({ description: 'Whether it is the default address.' }),
  /** When it was saved, RFC 3339 UTC. */
  createdAt: Type.String({ format: 'date-time', description: 'When it was saved.' }),
  /** When it last changed, RFC 3339 UTC. */
  updatedAt: Type.String({ format: 'date-time', description: 'When it last changed.' }),
})
export type SavedAddress = Type.Static<typeof SavedAddress>

/** `GET /users/me/addresses`: the default first, then the newest. */
export const AddressList = Type.Object({
  /** At most 20 addresses: the default first, then the newest. */
  items: Type.Array(SavedAddress, { description: 'The default first, then the newest.' }),
})
export type AddressList = Type.Static<typeof AddressList>

/** Path parameters of `/users/me/addresses/{id}`. */
export const AddressParams = Type.Object({
  /** The address id (a UUID; anything else is a 404, as another account's address is). */
  id: Text({ minLength: 1, maxLength: 64, description: 'The address id.' }),
})
export type AddressParams = Type.Static<typeof AddressParams>
