import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { audit, staffRoles, users as contracts, type StaffRole } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { UserRecord } from '../app/ports.js'
import type { InvitationRecord, StaffStore } from '../app/staff-ports.js'
import { isOwner } from '../domain/roles.js'
import { isUniqueViolation, toUser } from './kysely-store.js'
import type { StaffInvitationsTable, UsersTables } from './tables.js'

/** The staff's storage (issue 19) on the service's database, through Kysely. */
export function createKyselyStaffStore(deps: { database: Database; outbox: Outbox }): StaffStore {
  const db = deps.database.db as Kysely<UsersTables>
  // Accounts holding any staff role or the legacy admin flag.
  const staffRows = (q: Kysely<UsersTables>) =>
    q
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb('is_admin', '=', true), eb('staff_roles', '<>', '')]))
  return {
    async listStaff() {
      const rows = await staffRows(db).orderBy('created_at').orderBy('id').execute()
      return rows.map((row) => toUser(row)!)
    },

    async findInvitation(tokenHash) {
      const row = await db
        .selectFrom('staff_invitations')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst()
      return row && toInvitation(row)
    },

    async invite(invitation, invited, auditData) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('staff_invitations')
          .values({
            id: invitation.id,
            email: invitation.email,
            role: invitation.role,
            token_hash: invitation.tokenHash,
            invited_by: invitation.invitedBy,
            created_at: invitation.createdAt,
            expires_at: invitation.expiresAt,
            accepted_at: null,
            accepted_user_id: null,
          })
          .execute()
        await deps.outbox.add(trx, contracts.StaffInvited, invited)
        await deps.outbox.add(trx, audit.AuditRecorded, auditData)
      })
    },

    async accept(tokenHash, now, makeAccount, makeEvents) {
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await trx
            .selectFrom('staff_invitations')
            .selectAll()
            .where('token_hash', '=', tokenHash)
            .forUpdate()
            .executeTakeFirst()
          const invitation = row && toInvitation(row)
          if (!invitation || invitation.acceptedAt !== null || invitation.expiresAt <= now) {
            return { outcome: 'invalid' as const }
          }
          const account = makeAccount(invitation)
          const taken = await trx
            .selectFrom('users')
            .select('id')
            .where('email', '=', account.email)
            .executeTakeFirst()
          if (taken) return { outcome: 'email_taken' as const }
          await trx
            .insertInto('users')
            .values({
              id: account.id,
              email: account.email,
              name: account.name,
              password_hash: account.passwordHash,
              email_verified_at: account.emailVerifiedAt,
              is_admin: false,
              staff_roles: (account.staffRoles ?? []).join(','),
              created_at: account.createdAt,
              updated_at: account.updatedAt,
            })
            .execute()
          await trx
            .updateTable('staff_invitations')
            .set({ accepted_at: now, accepted_user_id: account.id })
            .where('id', '=', invitation.id)
            .execute()
          const events = makeEvents(invitation, account)
          await deps.outbox.add(trx, contracts.UserRegistered, events.registered)
          await deps.outbox.add(trx, audit.AuditRecorded, events.audit)
          return { outcome: 'accepted' as const, account }
        })
      } catch (error) {
        // Registered at the same moment by someone else: the address is taken.
        if (isUniqueViolation(error)) return { outcome: 'email_taken' }
        throw error
      }
    },

    async setRoles(userId, roles, now, makeAudit, revoked) {
      return db.transaction().execute(async (trx) => {
        // The owners, locked: two owners demoting each other at once cannot leave none.
        const owners = (
          await trx
            .selectFrom('users')
            .selectAll()
            .where((eb) => eb.or([eb('is_admin', '=', true), eb('staff_roles', 'like', '%owner%')]))
            .orderBy('id')
            .forUpdate()
            .execute()
        )
          .map((row) => toUser(row)!)
          .filter(isOwner)
        const row = await trx
          .selectFrom('users')
          .selectAll()
          .where('id', '=', userId)
          .forUpdate()
          .executeTakeFirst()
        const before = toUser(row)
        if (!before) return { kind: 'unknown_user' as const }
        const ordered = staffRoles.filter((role) => roles.includes(role))
        const keepsOwner = ordered.includes('owner')
        const after: UserRecord = {
          ...before,
          // The legacy flag is the owner's: it goes when the owner role does.
          isAdmin: before.isAdmin && keepsOwner,
          staffRoles: ordered,
          updatedAt: now,
        }
        if (isOwner(before) && !keepsOwner && owners.every((o) => o.id === userId)) {
          return { kind: 'last_owner' as const }
        }
        await trx
          .updateTable('users')
          .set({ staff_roles: ordered.join(','), is_admin: after.isAdmin, updated_at: now })
          .where('id', '=', userId)
          .execute()
        await deps.outbox.add(trx, audit.AuditRecorded, makeAudit(before, after))
        const lost = lostRoles(before, after)
        if (lost && revoked?.kind === 'user') {
          await trx
            .insertInto('revocations')
            .values({
              id: randomUUID(),
              kind: 'user',
              subject: revoked.userId,
              revoked_before: revoked.before,
              expires_at: revoked.until,
            })
            .execute()
        }
        return { kind: 'changed' as const, before, after }
      })
    },
  }
}

function lostRoles(before: UserRecord, after: UserRecord): boolean {
  const now = new Set<string>(after.staffRoles ?? [])
  if (after.isAdmin) now.add('admin')
  const had = [...(before.staffRoles ?? []), ...(before.isAdmin ? ['admin'] : [])]
  return had.some((role) => !now.has(role))
}

function toInvitation(row: Selectable<StaffInvitationsTable>): InvitationRecord {
  return {
    id: row.id,
    email: row.email,
    role: row.role as StaffRole,
    tokenHash: row.token_hash,
    invitedBy: row.invited_by,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    acceptedAt: row.accepted_at && new Date(row.accepted_at),
  }
}
