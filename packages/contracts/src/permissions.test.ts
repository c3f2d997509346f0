import { describe, expect, it } from 'vitest'
import {
  hasPermission,
  isStaff,
  permissions,
  permissionsOf,
  rolePermissions,
} from './permissions.js'

describe('permissionsOf', () => {
  it('gives the owner, and the legacy admin, every permission', () => {
    expect([...permissionsOf(['owner'])].sort()).toEqual([...permissions].sort())
    expect([...permissionsOf(['customer', 'admin'])].sort()).toEqual([...permissions].sort())
  })

  it('gives a customer, a guest and unknown roles nothing', () => {
    expect(permissionsOf(['customer']).size).toBe(0)
    expect(permissionsOf(['guest']).size).toBe(0)
    expect(permissionsOf(['constructor', '__proto__', 'toString']).size).toBe(0)
    expect(isStaff(['customer'])).toBe(false)
  })

  it('unites the permissions of several roles', () => {
    const both = permissionsOf(['fulfilment', 'support'])
    for (const p of [...rolePermissions.fulfilment, ...rolePermissions.support]) {
      expect(both.has(p)).toBe(true)
    }
    expect(both.has('staff.manage')).toBe(false)
    expect(hasPermission(['catalog_manager'], 'catalog.write')).toBe(true)
    expect(hasPermission(['catalog_manager'], 'orders.read')).toBe(false)
  })

  it('keeps staff management and the audit trail to the owner', () => {
    for (const role of ['catalog_manager', 'fulfilment', 'support'] as const) {
      expect(rolePermissions[role]).not.toContain('staff.manage')
      expect(rolePermissions[role]).not.toContain('audit.read')
    }
  })
})
