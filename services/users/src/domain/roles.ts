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
 * The roles of an account. Computed whenever a token is issued, not stored: removing an e-mail
 * from ADMIN_EMAILS takes `admin` away at the next login or refresh.
 */
export function rolesOf(email: string, admins: ReadonlySet<string>): Role[] {
  return admins.has(normalizeEmail(email)) ? [Roles.customer, Roles.admin] : [Roles.customer]
}
