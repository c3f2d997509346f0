// The staff permissions of each role, as packages/contracts/src/permissions.ts declares them
// (issue 19). The storefront does not bundle the contracts package (its schema library would
// ride along), so the table is repeated here, and permissions.test.ts checks it against the
// contracts'. The back office shows a section to whoever holds its permission; the services
// refuse everyone else anyway.

/** A staff permission (`orders.read`, `staff.manage`…). */
export type Permission =
  | 'catalog.write'
  | 'pricing.write'
  | 'shipping.write'
  | 'orders.read'
  | 'orders.manage'
  | 'orders.fulfil'
  | 'refunds.write'
  | 'payments.read'
  | 'customers.read'
  | 'staff.manage'
  | 'audit.read'
  | 'reports.read'
  | 'webhooks.manage'

/** The staff roles an owner can give, in the order the staff page lists them. */
export const staffRoles = ['owner', 'catalog_manager', 'fulfilment', 'support'] as const
export type StaffRole = (typeof staffRoles)[number]

const everything: readonly Permission[] = [
  'catalog.write',
  'pricing.write',
  'shipping.write',
  'orders.read',
  'orders.manage',
  'orders.fulfil',
  'refunds.write',
  'payments.read',
  'customers.read',
  'staff.manage',
  'audit.read',
  'reports.read',
  'webhooks.manage',
]

/** The permissions of each staff role. */
export const rolePermissions: Readonly<Record<StaffRole, readonly Permission[]>> = {
  owner: everything,
  catalog_manager: ['catalog.write', 'pricing.write', 'reports.read'],
  fulfilment: ['orders.read', 'orders.fulfil', 'shipping.write'],
  support: ['orders.read', 'orders.manage', 'refunds.write', 'payments.read', 'customers.read'],
}

/** A role's name in the back office's words. */
export const roleWords: Readonly<Record<StaffRole, string>> = {
  owner: 'Owner',
  catalog_manager: 'Catalogue manager',
  fulfilment: 'Fulfilment',
  support: 'Support',
}

const isStaffRole = (role: string): role is StaffRole => Object.hasOwn(rolePermissions, role)

/** The permissions the roles give: the legacy `admin` counts as `owner`, other roles none. */
export function permissionsOf(roles: readonly string[]): ReadonlySet<Permission> {
  const granted = new Set<Permission>()
  for (const role of roles) {
    const staff = role === 'admin' ? 'owner' : role
    if (isStaffRole(staff)) for (const p of rolePermissions[staff]) granted.add(p)
  }
  return granted
}

/** Whether the roles make their holder staff (any permission at all). */
export const isStaff = (roles: readonly string[]): boolean => permissionsOf(roles).size > 0

/** The staff roles among an account's roles (`admin` shown as the owner it counts as). */
export const staffRolesOf = (roles: readonly string[]): StaffRole[] =>
  staffRoles.filter((r) => roles.includes(r) || (r === 'owner' && roles.includes('admin')))
