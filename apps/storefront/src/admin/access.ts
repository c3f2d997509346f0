import { readMyAccess } from '../api/staff'
import type { Session } from '../api/session'
import { useLoad } from '../components/ui'
import { permissionsOf, type Permission } from '../lib/permissions'

/**
 * What the signed-in member of staff may do: the permissions `GET /users/me` names (issue 19),
 * else those of the roles it names (a users service that does not list permissions yet), and
 * those of the session's roles until it answers or when it cannot be reached.
 */
export function useAccess(current: Session | null): ReadonlySet<Permission> {
  const me = useLoad((signal) => readMyAccess(signal), [current?.user.id])
  if (!me.data) return permissionsOf(current?.user.roles ?? [])
  if (me.data.permissions) return new Set(me.data.permissions as Permission[])
  return permissionsOf(me.data.roles)
}
