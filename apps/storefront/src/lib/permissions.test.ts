import {
  legacyAdminRole,
  permissions,
  permissionsOf as contractsPermissionsOf,
  rolePermissions as contractsRolePermissions,
  staffRoles as contractsStaffRoles,
} from '@emporium/contracts'
import { describe, expect, it } from 'vitest'
import { isStaff, permissionsOf, rolePermissions, roleWords, staffRoles } from './permissions'

// The storefront's copy of the permission table must be the contracts' (the services enforce
// theirs; a section shown by a stale copy would only be refused, one hidden would be lost).
describe("the storefront's permission table", () => {
  it('has the roles and permissions of the contracts', () => {
    expect([...staffRoles]).toEqual([...contractsStaffRoles])
    expect(Object.keys(roleWords).sort()).toEqual([...contractsStaffRoles].sort())
    for (const role of contractsStaffRoles) {
      expect([...rolePermissions[role]].sort(), role).toEqual(
        [...contractsRolePermissions[role]].sort(),
      )
    }
    expect([...permissionsOf(['owner'])].sort()).toEqual([...permissions].sort())
  })

  it('derives permissions from roles as the services do', () => {
    for (const roles of [
      [],
      ['customer'],
      [legacyAdminRole],
      ['customer', 'support'],
      ['fulfilment', 'catalog_manager'],
      ['no-such-role'],
    ]) {
      expect([...permissionsOf(roles)].sort(), roles.join()).toEqual(
        [...contractsPermissionsOf(roles)].sort(),
      )
    }
    expect(isStaff(['customer'])).toBe(false)
    expect(isStaff(['customer', 'fulfilment'])).toBe(true)
    expect(isStaff(['admin'])).toBe(true)
  })
})
