import type { ColumnType } from 'kysely'

/** The users service's own tables (the platform adds `outbox` and `inbox`). */
export interface UsersTables {
  users: UsersTable
  refresh_tokens: RefreshTokensTable
}

export interface UsersTable {
  /** UUID. */
  id: string
  /** Normalised: trimmed, lower-cased; unique. */
  email: string
  name: string
  password_hash: string
  created_at: ColumnType<Date, Date, never>
  updated_at: Date
}

export interface RefreshTokensTable {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string
  family_id: string
  user_id: string
  expires_at: ColumnType<Date, Date, never>
  used_at: Date | null
  revoked_at: Date | null
  created_at: ColumnType<Date, Date, never>
}
