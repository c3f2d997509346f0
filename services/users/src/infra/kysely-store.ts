import type { Kysely, Selectable, Transaction } from 'kysely'
import { users as contracts } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import { randomUUID } from 'node:crypto'
import type {
  RefreshTokenRecord,
  RefreshTokens,
  Repositories,
  RevocationEntry,
  Store,
  UserRecord,
  Users,
} from '../app/ports.js'
import { parseStaffRoles } from '../domain/roles.js'
import { createAddresses, createResetTokens } from './kysely-addresses.js'
import type { RefreshTokensTable, UsersTable, UsersTables } from './tables.js'

/** The store on the service's database (MariaDB/MySQL, PostgreSQL or PGlite), through Kysely. */
export function createKyselyStore(deps: { database: Database; outbox: Outbox }): Store {
  const db = deps.database.db as Kysely<UsersTables>
  return {
    users: createUsers(db),
    addresses: createAddresses(db),
    transaction: (work) =>
      db.transaction().execute((trx) => work(repositories(trx as Transaction<UsersTables>))),
    async purgeExpiredSessions(cutoff) {
      // Wrapped in a derived table: MySQL refuses a subquery on the table a DELETE changes.
      const result = await db
        .deleteFrom('refresh_tokens')
        .where('family_id', 'in', (qb) =>
          qb
            .selectFrom((inner) =>
              inner
                .selectFrom('refresh_tokens')
                .select('family_id')
                .groupBy('family_id')
                .having((eb) => eb.fn.max('expires_at'), '<', cutoff)
                .as('expired'),
            )
            .select('expired.family_id'),
        )
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
    async activeRevocations(now) {
      const rows = await db
        .selectFrom('revocations')
        .selectAll()
        .where('expires_at', '>', now)
        .execute()
      return rows.flatMap((row): RevocationEntry[] => {
        const until = new Date(row.expires_at)
        if (row.kind === 'session') return [{ kind: 'session', sessionId: row.subject, until }]
        if (row.kind === 'user' && row.revoked_before) {
          return [
            { kind: 'user', userId: row.subject, before: new Date(row.revoked_before), until },
          ]
        }
        return []
      })
    },
    async purgeRevocations(now) {
      const result = await db
        .deleteFrom('revocations')
        .where('expires_at', '<=', now)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
    async purgeResetTokens(cutoff) {
      const result = await db
        .deleteFrom('password_reset_tokens')
        .where('expires_at', '<', cutoff)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }

  function repositories(trx: Transaction<UsersTables>): Repositories {
    return {
      users: createUsers(trx),
      refreshTokens: createRefreshTokens(trx),
      addresses: createAddresses(trx),
      resetTokens: createResetTokens(trx),
      events: {
        async userRegistered(data) {
          await deps.outbox.add(trx, contracts.UserRegistered, data)
        },
        async verificationRequested(data) {
          await deps.outbox.add(trx, contracts.UserVerificationRequested, data)
        },
        async passwordResetRequested(data) {
          await deps.outbox.add(trx, contracts.UserPasswordResetRequested, data)
        },
      },
      revocations: {
        async add(entries) {
          if (entries.length === 0) return
          await trx
            .insertInto('revocations')
            .values(
              entries.map((entry) => ({
                id: randomUUID(),
                kind: entry.kind,
                subject: entry.kind === 'session' ? entry.sessionId : entry.userId,
                revoked_before: entry.kind === 'user' ? entry.before : null,
                expires_at: entry.until,
              })),
            )
            .execute()
        },
      },
    }
  }
}

function createUsers(db: Kysely<UsersTables>): Users {
  const byId = (id: string) =>
    db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  return {
    findById: async (id) => toUser(await byId(id)),
    async findByEmail(email) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email)
        .executeTakeFirst()
      return toUser(row)
    },
    async insert(user) {
      try {
        await db
          .insertInto('users')
          .values({
            id: user.id,
            email: user.email,
            name: user.name,
            password_hash: user.passwordHash,
            email_verified_at: user.emailVerifiedAt,
            is_admin: user.isAdmin,
            staff_roles: (user.staffRoles ?? []).join(','),
            created_at: user.createdAt,
            updated_at: user.updatedAt,
          })
          .execute()
        return 'inserted'
      } catch (error) {
        if (isUniqueViolation(error)) return 'email_taken'
        throw error
      }
    },
    async updateName(id, name, now) {
      await db.updateTable('users').set({ name, updated_at: now }).where('id', '=', id).execute()
      return toUser(await byId(id))
    },
    async markVerified(id, now, grantAdmin) {
      const result = await db
        .updateTable('users')
        .set({ email_verified_at: now, updated_at: now, ...(grantAdmin ? { is_admin: true } : {}) })
        .where('id', '=', id)
        .where('email_verified_at', 'is', null)
        .executeTakeFirst()
      return BigInt(result.numUpdatedRows) === 1n
    },
    async setAdmin(id, isAdmin, now) {
      await db
        .updateTable('users')
        .set({ is_admin: isAdmin, updated_at: now })
        .where('id', '=', id)
        .execute()
    },
    async updatePassword(id, passwordHash, now) {
      await db
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now })
        .where('id', '=', id)
        .execute()
    },
  }
}

function createRefreshTokens(db: Kysely<UsersTables>): RefreshTokens {
  return {
    async insert(token) {
      await db
        .insertInto('refresh_tokens')
        .values({
          token_hash: token.tokenHash,
          family_id: token.familyId,
          user_id: token.userId,
          expires_at: token.expiresAt,
          used_at: token.usedAt,
          revoked_at: token.revokedAt,
          created_at: token.createdAt,
        })
        .execute()
    },
    async findForUpdate(tokenHash) {
      const row = await db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .forUpdate()
        .executeTakeFirst()
      return row && toRefreshToken(row)
    },
    async spend(tokenHash, now) {
      const result = await db
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return BigInt(result.numUpdatedRows) === 1n
    },
    async revokeFamily(familyId, now) {
      await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .execute()
    },
    async liveFamilies(userId) {
      const rows = await db
        .selectFrom('refresh_tokens')
        .select('family_id')
        .distinct()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute()
      return rows.map((row) => row.family_id)
    },
  }
}

export function toUser(row: Selectable<UsersTable> | undefined): UserRecord | undefined {
  if (!row) return undefined
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    emailVerifiedAt: row.email_verified_at && new Date(row.email_verified_at),
    isAdmin: Boolean(row.is_admin),
    staffRoles: parseStaffRoles(row.staff_roles ?? ''),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

function toRefreshToken(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash,
    familyId: row.family_id,
    userId: row.user_id,
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at && new Date(row.used_at),
    revokedAt: row.revoked_at && new Date(row.revoked_at),
    createdAt: new Date(row.created_at),
  }
}

/** A unique index refused the row: PostgreSQL/PGlite SQLSTATE 23505, MySQL/MariaDB 1062. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown }
  return e.code === '23505' || e.code === 'ER_DUP_ENTRY' || e.errno === 1062
}
