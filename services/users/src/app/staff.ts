import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { AppError } from '@emporium/platform/app'
import { audit, type StaffRole, type users } from '@emporium/contracts'
import { parseEmail } from '../domain/email.js'
import { parseName } from '../domain/name.js'
import { checkPassword } from '../domain/password-policy.js'
import { rolesOf } from '../domain/roles.js'
import type { PasswordHasher, RevocationList, Store, UserRecord } from './ports.js'
import { revokeAccountTokens, type RevokeDeps } from './revoke.js'
import { toUser } from './session.js'
import type { StaffStore } from './staff-ports.js'

/** How long an invitation's link works. */
export const invitationTtlMs = 7 * 24 * 3600 * 1000

/** Who acts: the verified caller's id and roles (for the audit trail). */
export interface StaffActor {
  userId: string
  roles: readonly string[]
}

export interface StaffDeps extends RevokeDeps {
  store: Store
  staff: StaffStore
  hasher: PasswordHasher
  revocations: RevocationList
  /** The storefront's base URL: the link is `<base>/staff/accept#token=<token>`. */
  publicUrl: string
}

/** An account's staff roles as shown: the legacy admin flag is the owner's. */
export function staffRolesOf(user: UserRecord): StaffRole[] {
  const roles = new Set<StaffRole>(user.staffRoles ?? [])
  if (user.isAdmin) roles.add('owner')
  return [...roles]
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

const invalidInvitation = () =>
  new AppError(
    'invalid',
    'USERS.INVALID_INVITATION',
    'This invitation link is unknown, expired or already used.',
  )

const emailTaken = () =>
  new AppError(
    'conflict',
    'USERS.EMAIL_TAKEN',
    'An account has this e-mail address already: an owner gives it a role instead ' +
      '(PUT /staff/{userId}/roles).',
  )

/**
 * Staff and their roles (issue 19): the list, invitations by e-mail (a single-use link, its token
 * stored hashed), their acceptance (a new account with the invited role; an address that has an
 * account already is a 409, since an owner gives an existing account a role directly), and the
 * roles of an account (never leaving the shop without an owner). Invitations and role changes
 * are audited in their own transaction.
 */
export function createStaff(deps: StaffDeps) {
  return {
    async list(): Promise<users.StaffList> {
      const members = await deps.staff.listStaff()
      return {
        items: members.map((member) => ({
          userId: member.id,
          email: member.email,
          name: member.name,
          roles: staffRolesOf(member),
          createdAt: member.createdAt.toISOString(),
        })),
      }
    },

    async invite(actor: StaffActor, body: users.InviteStaffBody): Promise<users.StaffInvitation> {
      const email = parseEmail(body.email)
      if (await deps.store.users.findByEmail(email)) throw emailTaken()
      const inviter = await deps.store.users.findById(actor.userId)
      const token = randomBytes(32).toString('base64url')
      const now = deps.now()
      const invitation = {
        id: randomUUID(),
        email,
        role: body.role,
        tokenHash: hashToken(token),
        invitedBy: actor.userId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + invitationTtlMs),
        acceptedAt: null,
      }
      const view = {
        id: invitation.id,
        email,
        role: body.role,
        expiresAt: invitation.expiresAt.toISOString(),
      }
      await deps.staff.invite(
        invitation,
        {
          invitationId: invitation.id,
          email,
          role: body.role,
          acceptUrl: `${deps.publicUrl.replace(/\/+$/, '')}/staff/accept#token=${token}`,
          expiresAt: view.expiresAt,
          invitedBy: inviter?.name ?? '',
        },
        audit.auditRecorded(
          actor,
          'staff.invited',
          { type: 'staff-invitation', id: invitation.id },
          null,
          {
            email,
            role: body.role,
            expiresAt: view.expiresAt,
          },
        ),
      )
      return view
    },

    async accept(body: users.AcceptInvitationBody): Promise<users.AcceptedInvitation> {
      const name = parseName(body.name)
      const tokenHash = hashToken(body.token)
      const now = deps.now()
      // Before hashing the password (slow): a bad link is answered at once. The transaction
      // below decides again (single use, under concurrency).
      const found = await deps.staff.findInvitation(tokenHash)
      if (!found || found.acceptedAt !== null || found.expiresAt <= now) throw invalidInvitation()
      checkPassword(body.password, [found.email, name])
      const passwordHash = await deps.hasher.hash(body.password)
      const result = await deps.staff.accept(
        tokenHash,
        now,
        (invitation) => {
          return {
            id: randomUUID(),
            email: invitation.email,
            name,
            passwordHash,
            // The link came to this address: it is proved.
            emailVerifiedAt: now,
            isAdmin: false,
            staffRoles: [invitation.role],
            createdAt: now,
            updatedAt: now,
          }
        },
        (invitation, account) => ({
          registered: {
            userId: account.id,
            email: account.email,
            name: account.name,
            roles: rolesOf(account),
            registeredAt: now.toISOString(),
          },
          audit: audit.auditRecorded(
            { userId: account.id, roles: rolesOf(account) },
            'staff.invitation-accepted',
            { type: 'staff-invitation', id: invitation.id },
            null,
            { userId: account.id, role: invitation.role },
            now,
          ),
        }),
      )
      if (result.outcome === 'invalid') throw invalidInvitation()
      if (result.outcome === 'email_taken') throw emailTaken()
      return { user: toUser(result.account!) }
    },

    async setRoles(
      actor: StaffActor,
      userId: string,
      body: users.SetStaffRolesBody,
    ): Promise<users.StaffMember> {
      const roles = [...new Set(body.roles)]
      const now = deps.now()
      const revoked = revokeAccountTokens(deps, userId)
      const result = await deps.staff.setRoles(
        userId,
        roles,
        now,
        (before, after) =>
          audit.auditRecorded(
            actor,
            'staff.roles-changed',
            { type: 'user', id: userId },
            { roles: staffRolesOf(before) },
            { roles: staffRolesOf(after) },
            now,
          ),
        revoked,
      )
      if (result.kind === 'unknown_user') {
        throw new AppError('not_found', 'USERS.NOT_FOUND', `No account ${userId}.`)
      }
      if (result.kind === 'last_owner') {
        throw new AppError(
          'conflict',
          'USERS.LAST_OWNER',
          'This is the last owner: make another account an owner first.',
        )
      }
      const lost = staffRolesOf(result.before).some((r) => !staffRolesOf(result.after).includes(r))
      // Its older tokens name roles it no longer has: void them now (the store kept the entry).
      if (lost) await deps.revocations.add([revoked])
      return {
        userId,
        email: result.after.email,
        name: result.after.name,
        roles: staffRolesOf(result.after),
        createdAt: result.after.createdAt.toISOString(),
      }
    },
  }
}

export type Staff = ReturnType<typeof createStaff>
