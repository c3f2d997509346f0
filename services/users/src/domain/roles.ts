import { normalizeEmail } from './email.js'

export const Roles = { customer: 'customer', admin: 'admin' } as const
export type Role = (typeof Roles)[keyof typeof Roles]

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
 * `npm run admin -- grant`, and taken away by `npm run admin -- revoke`.
 */
export function rolesOf(account: { isAdmin: boolean }): Role[] {
  return account.isAdmin ? [Roles.customer, Roles.admin] : [Roles.customer]
}
