import type { ColumnType } from 'kysely'

/** The users service's own tables (the platform adds `outbox` and `inbox`). */
export interface UsersTables {
  users: UsersTable
  refresh_tokens: RefreshTokensTable
  revocations: RevocationsTable
  addresses: AddressesTable
  password_reset_tokens: PasswordResetTokensTable
  staff_invitations: StaffInvitationsTable
}

/** Invitations to the staff (issue 19), by the SHA-256 of the mailed token. */
export interface StaffInvitationsTable {
  id: string
  email: string
  role: string
  token_hash: string
  invited_by: string
  created_at: ColumnType<Date, Date, never>
  expires_at: ColumnType<Date, Date, never>
  accepted_at: Date | null
  accepted_user_id: string | null
}

export interface UsersTable {
  /** UUID. */
  id: string
  /** Normalised: trimmed, lower-cased; unique. */
  email: string
  name: string
  password_hash: string
  email_verified_at: Date | null
  /** A boolean; MySQL/MariaDB give 0/1. */
  is_admin: ColumnType<boolean | number, boolean, boolean>
  /** Staff roles, comma-separated (issue 19); empty for a shopper. */
  staff_roles: ColumnType<string, string | undefined, string>
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

/** Entries of the revocation list, kept until no token they name can be valid (`expires_at`). */
export interface RevocationsTable {
  id: string
  /** `session` or `user`. */
  kind: string
  /** The session id (refresh token family) or the account id. */
  subject: string
  /** `user` entries: tokens issued at or before it are void. */
  revoked_before: Date | null
  expires_at: Date
}

/** Saved shipping addresses (the address book). */
export interface AddressesTable {
  /** UUID. */
  id: string
  user_id: string
  label: string | null
  name: string
  line1: string
  line2: string | null
  city: string
  postal_code: string
  country: string
  region: string | null
  phone: string | null
  /** A boolean; MySQL/MariaDB give 0/1. */
  is_default: ColumnType<boolean | number, boolean, boolean>
  created_at: ColumnType<Date, Date, never>
  updated_at: Date
}

/** Password reset links, by the SHA-256 of the token; the token itself is never stored. */
export interface PasswordResetTokensTable {
  token_hash: string
  user_id: string
  expires_at: ColumnType<Date, Date, never>
  used_at: Date | null
  created_at: ColumnType<Date, Date, never>
}
