import Type from 'typebox'
import { defineEvent } from '../events.js'
import { StaffRoleSchema as StaffRoleUnion, type StaffRole } from '../permissions.js'
import { Text, textPattern } from '../text.js'
import { passwordMaxLength, passwordMinLength, User } from './http.js'

// The union of a mapped list has no static type of its own: given here.
const StaffRoleSchema = Type.Unsafe<StaffRole>(StaffRoleUnion)

/*
 * Staff and their roles (issue 19; API.md, "Staff and permissions"): the users service's
 * `/staff` routes, served by the gateway under `/api/v1/staff`.
 */

/** A staff member, `GET /staff`: an account holding a staff role (the legacy `admin`: owner). */
export const StaffMember = Type.Object({
  userId: Type.String({ description: "The account's id." }),
  email: Type.String({ description: 'E-mail address, lower-cased.' }),
  name: Type.String({ description: 'Display name.' }),
  roles: Type.Array(StaffRoleSchema, { description: 'Its staff roles.' }),
  createdAt: Type.String({ format: 'date-time', description: 'When the account was made.' }),
})
export type StaffMember = Type.Static<typeof StaffMember>

export const StaffList = Type.Object({ items: Type.Array(StaffMember) })
export type StaffList = Type.Static<typeof StaffList>

/** Body of `POST /staff/invitations`. */
export const InviteStaffBody = Type.Object(
  {
    email: Type.String({
      format: 'email',
      pattern: textPattern,
      maxLength: 254,
      description: 'Where the invitation goes; the account made on accepting it has this address.',
    }),
    role: StaffRoleSchema,
  },
  { additionalProperties: false },
)
export type InviteStaffBody = Type.Static<typeof InviteStaffBody>

/** An invitation as the inviter sees it (never its token, which only the e-mail carries). */
export const StaffInvitation = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: StaffRoleSchema,
  expiresAt: Type.String({ format: 'date-time', description: 'When its link stops working.' }),
})
export type StaffInvitation = Type.Static<typeof StaffInvitation>

/** Body of `POST /staff/invitations/accept` (public: the token is the key). */
export const AcceptInvitationBody = Type.Object(
  {
    token: Text({ minLength: 1, maxLength: 200, description: 'The token of the mailed link.' }),
    name: Text({ minLength: 1, maxLength: 100, description: 'Display name of the new account.' }),
    password: Text({
      minLength: passwordMinLength,
      maxLength: passwordMaxLength,
      description: 'Password of the new account, as at registration.',
    }),
  },
  { additionalProperties: false },
)
export type AcceptInvitationBody = Type.Static<typeof AcceptInvitationBody>

/** Answer of `POST /staff/invitations/accept`: the account made, with the invited role. */
export const AcceptedInvitation = Type.Object({ user: User })
export type AcceptedInvitation = Type.Static<typeof AcceptedInvitation>

export const StaffUserParams = Type.Object({
  userId: Text({ minLength: 1, maxLength: 64, description: "The account's id." }),
})
export type StaffUserParams = Type.Static<typeof StaffUserParams>

/** Body of `PUT /staff/{userId}/roles`: the account's staff roles, all of them (may be none). */
export const SetStaffRolesBody = Type.Object(
  { roles: Type.Array(StaffRoleSchema, { maxItems: 4, uniqueItems: true }) },
  { additionalProperties: false },
)
export type SetStaffRolesBody = Type.Static<typeof SetStaffRolesBody>

/** Data of `staff.invited` v1. */
export const StaffInvitedData = Type.Object({
  invitationId: Type.String({ minLength: 1 }),
  /** Where the message goes, lower-cased. */
  email: Type.String({ minLength: 1 }),
  role: StaffRoleSchema,
  /** The link to send: the storefront's `/staff/accept` page with the token after `#token=`. */
  acceptUrl: Type.String({ minLength: 1 }),
  /** When the link stops working, RFC 3339 UTC. */
  expiresAt: Type.String({ format: 'date-time' }),
  /** Who invited, by display name (for the message). */
  invitedBy: Type.String(),
})
export type StaffInvitedData = Type.Static<typeof StaffInvitedData>

/**
 * An owner (staff.manage) invited someone to the staff: the notifications service mails the
 * single-use link. Published by the users service only.
 */
export const StaffInvited = defineEvent('staff.invited', 1, StaffInvitedData)
