import type { audit, StaffRole, users } from '@emporium/contracts'

type AuditRecordedData = audit.AuditRecordedData
import type { RevocationEntry, UserRecord } from './ports.js'

/** An invitation to the staff as stored: only the SHA-256 of its token (issue 19). */
export interface InvitationRecord {
  id: string
  email: string
  role: StaffRole
  tokenHash: string
  invitedBy: string
  createdAt: Date
  expiresAt: Date
  acceptedAt: Date | null
}

/** The outcome of accepting an invitation, decided in one transaction. */
export type AcceptOutcome = 'accepted' | 'invalid' | 'email_taken'

/** The outcome of changing an account's staff roles, decided in one transaction. */
export type SetRolesOutcome =
  | { kind: 'changed'; before: UserRecord; after: UserRecord }
  | { kind: 'unknown_user' }
  | { kind: 'last_owner' }

/** The staff's storage: each write commits with its events (outbox) or not at all. */
export interface StaffStore {
  /** Accounts holding a staff role or the legacy admin flag, oldest first. */
  listStaff(): Promise<UserRecord[]>
  findInvitation(tokenHash: string): Promise<InvitationRecord | undefined>
  /** Stores the invitation with `staff.invited` and its audit event. */
  invite(
    invitation: InvitationRecord,
    invited: users.StaffInvitedData,
    audit: AuditRecordedData,
  ): Promise<void>
  /**
   * Spends the invitation whose token hashes to `tokenHash` (unused, unexpired at `now`) and
   * makes `account` (with the invitation's role), `user.registered` and the audit event, in one
   * transaction; of two concurrent uses one gets `accepted`.
   */
  accept(
    tokenHash: string,
    now: Date,
    account: (invitation: InvitationRecord) => UserRecord,
    events: (
      invitation: InvitationRecord,
      account: UserRecord,
    ) => {
      registered: users.UserRegisteredData
      audit: AuditRecordedData
    },
  ): Promise<{ outcome: AcceptOutcome; account?: UserRecord }>
  /**
   * Sets the account's staff roles (the legacy admin flag goes with `owner`), refusing to leave
   * no owner (the owners are locked while it decides), with the audit event and the revocation
   * of the account's tokens when it loses a role, in one transaction.
   */
  setRoles(
    userId: string,
    roles: readonly StaffRole[],
    now: Date,
    audit: (before: UserRecord, after: UserRecord) => AuditRecordedData,
    revoked: RevocationEntry | undefined,
  ): Promise<SetRolesOutcome>
}
