import { unwrap } from '@emporium/sdk'
import type { StaffRole } from '../lib/permissions'
import { shop } from './client'
import { loose } from './untyped'

/** A member of staff (`GET /api/v1/staff`). */
export interface StaffMember {
  userId: string
  email: string
  name: string
  /** Its staff roles (`owner`, …). */
  roles: string[]
  createdAt: string
}

/** An invitation as `POST /api/v1/staff/invitations` answers it. */
export interface Invitation {
  id: string
  email: string
  role: StaffRole
  expiresAt: string
}

/** The signed-in account's permissions (`GET /users/me`), when the users service names them. */
export async function readMyAccess(
  signal?: AbortSignal,
): Promise<{ roles: string[]; permissions?: string[] }> {
  const me = (await unwrap(shop.GET('/api/v1/users/me', signal ? { signal } : {}))) as {
    roles: string[]
    permissions?: unknown
  }
  const listed = Array.isArray(me.permissions)
    ? me.permissions.filter((p): p is string => typeof p === 'string')
    : undefined
  return { roles: me.roles, ...(listed ? { permissions: listed } : {}) }
}

export async function listStaff(signal?: AbortSignal): Promise<StaffMember[]> {
  const page = (await unwrap(loose.GET('/api/v1/staff', signal ? { signal } : {}))) as {
    items: StaffMember[]
  }
  return page.items
}

export const inviteStaff = (email: string, role: StaffRole): Promise<Invitation> =>
  unwrap(loose.POST('/api/v1/staff/invitations', { body: { email, role } })) as Promise<Invitation>

/** Sets a member's staff roles (all of them: a role left out is taken away); the member after. */
export const changeStaffRoles = (userId: string, roles: StaffRole[]): Promise<StaffMember> =>
  unwrap(
    loose.PUT('/api/v1/staff/{userId}/roles', { params: { path: { userId } }, body: { roles } }),
  ) as Promise<StaffMember>

/**
 * Accepts an invitation with its e-mailed token: the account is made with the invited role. What
 * it answers is read loosely: the account's e-mail (to sign in with), and tokens if it gives any.
 */
export const acceptInvitation = (token: string, name: string, password: string) =>
  unwrap(loose.POST('/api/v1/staff/invitations/accept', { body: { token, name, password } }))
