import Type from 'typebox'
import { CursorParam, Id, Text } from '../text.js'
import { SavedAddress } from './addresses.js'

/*
 * The staff's customers list and page (issue 19; customers.read). The gateway maps
 * `/api/v1/customers/**` to the users service. A customer's orders are the orders service's
 * (`GET /orders?all=true&customerId=`), their lifetime value the reporting service's.
 */

/** Query of `GET /customers`. */
export const ListCustomersQuery = Type.Object(
  {
    /** Matches the e-mail or the name, case-insensitively, anywhere in them. */
    q: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 254,
        description: 'Matches the e-mail or the name, case-insensitively, anywhere in them.',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(CursorParam),
  },
  { additionalProperties: false },
)
export type ListCustomersQuery = Type.Static<typeof ListCustomersQuery>

/** A customer (an account) as staff see it in the list. */
export const Customer = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  /** Whether the account proved its e-mail address. */
  emailVerified: Type.Boolean(),
})
export type Customer = Type.Static<typeof Customer>

/** A page of customers, newest account first. */
export const CustomerPage = Type.Object({
  items: Type.Array(Customer),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type CustomerPage = Type.Static<typeof CustomerPage>

/** `GET /customers/{id}`: the customer and their saved addresses (the default first). */
export const CustomerDetail = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  emailVerified: Type.Boolean(),
  /** The address book, the default first. */
  addresses: Type.Array(SavedAddress),
})
export type CustomerDetail = Type.Static<typeof CustomerDetail>

/** Path parameters of `/customers/{id}`. */
export const CustomerParams = Type.Object({ id: Id() })
export type CustomerParams = Type.Static<typeof CustomerParams>
