import Type from 'typebox'
import { defineEvent } from '../events.js'
import { Role } from './http.js'

/** Data of `user.registered` v1. */
export const UserRegisteredData = Type.Object({
  /** The new account's id. */
  userId: Type.String({ minLength: 1, description: "The new account's id." }),
  /** Its e-mail address, lower-cased. */
  email: Type.String({ minLength: 1, description: 'Its e-mail address, lower-cased.' }),
  /** Its display name. */
  name: Type.String({ description: 'Its display name.' }),
  /** Its roles at registration (they may change later with configuration). */
  roles: Type.Array(Role, { description: 'Its roles at registration.' }),
  /** When it registered, RFC 3339 UTC. */
  registeredAt: Type.String({
    format: 'date-time',
    description: 'When it registered, RFC 3339 UTC.',
  }),
})
export type UserRegisteredData = Type.Static<typeof UserRegisteredData>

/** An account was created. Published by the users service only. */
export const UserRegistered = defineEvent('user.registered', 1, UserRegisteredData)
