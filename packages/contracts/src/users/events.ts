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

/** Data of `user.verification-requested` v1. */
export const UserVerificationRequestedData = Type.Object({
  /** The account's id. */
  userId: Type.String({ minLength: 1, description: "The account's id." }),
  /** The address to prove, lower-cased: the message goes there. */
  email: Type.String({ minLength: 1, description: 'The address to prove, lower-cased.' }),
  /** Its display name. */
  name: Type.String({ description: 'Its display name.' }),
  /** The link to send: the storefront's verification page with the token after `#token=`. */
  link: Type.String({ minLength: 1, description: 'The link that proves the address.' }),
  /** When the link stops working, RFC 3339 UTC. */
  expiresAt: Type.String({
    format: 'date-time',
    description: 'When the link stops working, RFC 3339 UTC.',
  }),
})
export type UserVerificationRequestedData = Type.Static<typeof UserVerificationRequestedData>

/**
 * An account asked to prove its e-mail address (at registration, or again later): the
 * notifications service sends the link. Published by the users service only.
 */
export const UserVerificationRequested = defineEvent(
  'user.verification-requested',
  1,
  UserVerificationRequestedData,
)

/** Data of `user.password-reset-requested` v1. */
export const UserPasswordResetRequestedData = Type.Object({
  /** The account's id. */
  userId: Type.String({ minLength: 1, description: "The account's id." }),
  /** The account's address, lower-cased: the message goes there. */
  email: Type.String({ minLength: 1, description: "The account's address, lower-cased." }),
  /** Its display name. */
  name: Type.String({ description: 'Its display name.' }),
  /** The link to send: the storefront's reset page with the token after `#token=`. */
  resetUrl: Type.String({ minLength: 1, description: 'The link that resets the password.' }),
  /** When the link stops working, RFC 3339 UTC. */
  expiresAt: Type.String({
    format: 'date-time',
    description: 'When the link stops working, RFC 3339 UTC.',
  }),
})
export type UserPasswordResetRequestedData = Type.Static<typeof UserPasswordResetRequestedData>

/**
 * Someone asked to reset the password of an existing account: the notifications service mails
 * the single-use link to the account's address. Published by the users service only.
 */
export const UserPasswordResetRequested = defineEvent(
  'user.password-reset-requested',
  1,
  UserPasswordResetRequestedData,
)
