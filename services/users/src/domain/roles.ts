import { staffRoles, type StaffRole } from '@emporium/contracts'
import { normalizeEmail } from './email.js'

export const Roles = { customer: 'customer', admin: 'admin' } as const
/** A role of an account's tokens: `customer`, the legacy `admin` (the owner), staff roles. */
export type Role = (typeof Roles)[keyof typeof Roles] | StaffRole

/** The set of admin e-mails from its configured form: comma-separated, any case, spaces ok. */
export function parseAdminEmails(list: string): ReadonlySet<string> {
  return new Set(
    list
      .split(',')
      .map(normalizeEmail)
      .filter((e) => e !== ''),
  )
}

/**
 * Whether ADMIN_EMAILS lists the address (it grants `admin` only when the address is verified by
 * a request signed in as its own account).
 */
export function isListedAdmin(email: string, admins: ReadonlySet<string>): boolean {
  return admins.has(normalizeEmail(email))
}

/**
 * The roles of an account: `admin` is stored, granted to an ADMIN_EMAILS address verified while
 * signed in as its account, or by
 * `npm run admin -- grant`, and taken away by `npm run admin -- revoke`; the staff roles an
 * owner gave follow (issue 19: `permissionsOf` of @emporium/contracts makes permissions of them).
 */
export function rolesOf(account: { isAdmin: boolean; staffRoles?: readonly StaffRole[] }): Role[] {
  const roles: Role[] = account.isAdmin ? [Roles.customer, Roles.admin] : [Roles.customer]
  return [...roles, ...(account.staffRoles ?? [])]
}

/** Staff roles from their stored form (comma-separated); unknown names are dropped. */
export function parseStaffRoles(stored: string): StaffRole[] {
  return staffRoles.filter((role) => stored.split(',').includes(role))
}

/** Whether an account is an owner: the `owner` role, or the legacy `admin`. */
export function isOwner(account: { isAdmin: boolean; staffRoles?: readonly StaffRole[] }): boolean {
  return account.isAdmin || (account.staffRoles ?? []).includes('owner')
}
