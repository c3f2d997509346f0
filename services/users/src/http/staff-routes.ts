import { Problem, users } from '@emporium/contracts'
import { bearerAuth, identityOf, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { Staff } from '../app/staff.js'

export interface StaffRoutesDeps {
  verifier: JwtVerifier
  staff: Staff
}

const tags = ['staff']
const problems = { 400: Problem, 401: Problem, 403: Problem }

/**
 * Staff and their roles (issue 19; API.md, "Staff and permissions"), under `/staff` (the gateway
 * serves them under `/api/v1/staff`): every route but the acceptance of an invitation needs
 * `staff.manage`, checked first by its config.
 */
export function staffRoutes(deps: StaffRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)
    app.addHook('onRoute', auth.enforcePermissions)
    const actor = (request: Parameters<typeof identityOf>[0]) => {
      const identity = identityOf(request)!
      return { userId: identity.userId, roles: identity.roles }
    }

    app.get(
      '/staff',
      {
        config: { permission: 'staff.manage' },
        schema: {
          tags,
          summary: 'The staff: accounts with a staff role, oldest first (staff: staff.manage)',
          response: { 200: users.StaffList, ...problems },
        },
      },
      async () => deps.staff.list(),
    )

    app.post(
      '/staff/invitations',
      {
        config: { permission: 'staff.manage' },
        schema: {
          tags,
          summary: 'Invite someone to the staff by e-mail (staff: staff.manage)',
          description:
            'Mails a single-use link (`/staff/accept#token=…`), valid for 7 days. An address ' +
            'that has an account already is a 409 `USERS.EMAIL_TAKEN`: give that account a role ' +
            'with `PUT /staff/{userId}/roles` instead.',
          body: users.InviteStaffBody,
          response: { 201: users.StaffInvitation, ...problems, 409: Problem },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await deps.staff.invite(actor(request), request.body)),
    )

    app.post(
      '/staff/invitations/accept',
      {
        schema: {
          tags,
          summary: 'Accept an invitation: a new account with the invited role',
          description:
            'Public: the token of the mailed link is the key (400 `USERS.INVALID_INVITATION` ' +
            'when unknown, expired or used). The password follows the registration rules.',
          body: users.AcceptInvitationBody,
          response: { 201: users.AcceptedInvitation, 400: Problem, 409: Problem },
        },
      },
      async (request, reply) => reply.code(201).send(await deps.staff.accept(request.body)),
    )

    app.put(
      '/staff/:userId/roles',
      {
        config: { permission: 'staff.manage' },
        schema: {
          tags,
          summary: "Set an account's staff roles (staff: staff.manage)",
          description:
            'All of its staff roles (an empty list: none). The last owner keeps the owner ' +
            'role: 409 `USERS.LAST_OWNER`. Losing a role voids its access tokens at once.',
          params: users.StaffUserParams,
          body: users.SetStaffRolesBody,
          response: { 200: users.StaffMember, ...problems, 404: Problem, 409: Problem },
        },
      },
      async (request) => deps.staff.setRoles(actor(request), request.params.userId, request.body),
    )
  }
}

/** The users service's routes with the staff's beside them. */
export function withStaffRoutes(routes: HttpRoutes, deps: StaffRoutesDeps): HttpRoutes {
  return async (app, options) => {
    await app.register(routes, options)
    await app.register(staffRoutes(deps), options)
  }
}
