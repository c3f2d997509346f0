import Type from 'typebox'

/**
 * Staff permissions (issue 19): what a back-office caller may do. Every service checks the
 * permission a route needs itself, from the roles in the caller's verified access token
 * (`permissionsOf`), without asking the users service; the gateway checks the same table first.
 */
export const permissions = [
  /** Products, variants, categories, media and stock. */
  'catalog.write',
  /** Promotions and tax rates. */
  'pricing.write',
  /** Shipping zones and methods. */
  'shipping.write',
  /** Any order: the search, the staff order page, its timeline and internal notes. */
  'orders.read',
  /** Cancel any order; write internal notes. */
  'orders.manage',
  /** Ship orders: shipments. */
  'orders.fulfil',
  /** Refunds and returns. */
  'refunds.write',
  /** Any payment; the ledger's reconciliation. */
  'payments.read',
  /** The customers list and page. */
  'customers.read',
  /** Invite staff and change their roles. */
  'staff.manage',
  /** The audit trail of staff actions. */
  'audit.read',
  /** The day's figures and their CSV export. */
  'reports.read',
  /** Partners' webhook endpoints, their secrets, deliveries and replays (issue 21). */
  'webhooks.manage',
] as const
export type Permission = (typeof permissions)[number]
export const PermissionSchema = Type.Union(permissions.map((p) => Type.Literal(p)))

/** The staff roles an owner can give; each is a fixed set of permissions. */
export const staffRoles = ['owner', 'catalog_manager', 'fulfilment', 'support'] as const
export type StaffRole = (typeof staffRoles)[number]
export const StaffRoleSchema = Type.Union(staffRoles.map((r) => Type.Literal(r)))

/** The permissions of each staff role. */
export const rolePermissions: Readonly<Record<StaffRole, readonly Permission[]>> = {
  owner: permissions,
  catalog_manager: ['catalog.write', 'pricing.write', 'reports.read'],
  fulfilment: ['orders.read', 'orders.fulfil', 'shipping.write'],
  support: ['orders.read', 'orders.manage', 'refunds.write', 'payments.read', 'customers.read'],
}

/**
 * The role every account had before staff roles: it keeps working, as the owner's.
 */
export const legacyAdminRole = 'admin'

function isStaffRole(role: string): role is StaffRole {
  return Object.hasOwn(rolePermissions, role)
}

/** The permissions a caller's roles give (`admin` counts as `owner`; other roles give none). */
export function permissionsOf(roles: readonly string[]): ReadonlySet<Permission> {
  const granted = new Set<Permission>()
  for (const role of roles) {
    const staff = role === legacyAdminRole ? 'owner' : role
    if (isStaffRole(staff)) for (const p of rolePermissions[staff]) granted.add(p)
  }
  return granted
}

/** Whether the roles give `permission`. */
export function hasPermission(roles: readonly string[], permission: Permission): boolean {
  return permissionsOf(roles).has(permission)
}

/** Whether the roles make their holder staff (any permission at all). */
export function isStaff(roles: readonly string[]): boolean {
  return permissionsOf(roles).size > 0
}
