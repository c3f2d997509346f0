import type { Kysely, Selectable } from 'kysely'
import type { AddressRecord, Addresses, ResetTokens } from '../app/ports.js'
import type { AddressesTable, UsersTables } from './tables.js'

/** The address book on the service's database. */
export function createAddresses(db: Kysely<UsersTables>): Addresses {
  return {
    async list(userId) {
      const rows = await db
        .selectFrom('addresses')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('is_default', 'desc')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute()
      return rows.map(toAddress)
    },
    async lockBook(userId) {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where('id', '=', userId)
        .forUpdate()
        .executeTakeFirst()
      return row !== undefined
    },
    async insert(address) {
      await db
        .insertInto('addresses')
        .values({
          id: address.id,
          user_id: address.userId,
          ...columns(address),
          created_at: address.createdAt,
        })
        .execute()
    },
    async update(address) {
      await db
        .updateTable('addresses')
        .set(columns(address))
        .where('user_id', '=', address.userId)
        .where('id', '=', address.id)
        .execute()
    },
    async remove(userId, id) {
      await db.deleteFrom('addresses').where('user_id', '=', userId).where('id', '=', id).execute()
    },
    async setDefault(userId, id) {
      await db
        .updateTable('addresses')
        .set({ is_default: false })
        .where('user_id', '=', userId)
        .where('id', '!=', id)
        .where('is_default', '=', true)
        .execute()
      await db
        .updateTable('addresses')
        .set({ is_default: true })
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .execute()
    },
  }
}

function columns(address: AddressRecord) {
  return {
    label: address.label,
    name: address.name,
    line1: address.line1,
    line2: address.line2,
    city: address.city,
    postal_code: address.postalCode,
    country: address.country,
    region: address.region,
    phone: address.phone,
    is_default: address.isDefault,
    updated_at: address.updatedAt,
  }
}

function toAddress(row: Selectable<AddressesTable>): AddressRecord {
  return {
    id: row.id,
    userId: row.user_id,
    label: row.label,
    name: row.name,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    postalCode: row.postal_code,
    country: row.country,
    region: row.region,
    phone: row.phone,
    isDefault: Boolean(row.is_default),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

/** Password reset tokens on the service's database. */
export function createResetTokens(db: Kysely<UsersTables>): ResetTokens {
  return {
    async removeUnused(userId) {
      await db
        .deleteFrom('password_reset_tokens')
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute()
    },
    async insert(token) {
      await db
        .insertInto('password_reset_tokens')
        .values({
          token_hash: token.tokenHash,
          user_id: token.userId,
          expires_at: token.expiresAt,
          used_at: token.usedAt,
          created_at: token.createdAt,
        })
        .execute()
    },
    async findByHash(tokenHash) {
      const row = await db
        .selectFrom('password_reset_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst()
      if (!row) return undefined
      return {
        tokenHash: row.token_hash,
        userId: row.user_id,
        expiresAt: new Date(row.expires_at),
        usedAt: row.used_at && new Date(row.used_at),
        createdAt: new Date(row.created_at),
      }
    },
    async spend(tokenHash, now) {
      const result = await db
        .updateTable('password_reset_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return BigInt(result.numUpdatedRows) === 1n
    },
  }
}
