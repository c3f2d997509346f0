import Type from 'typebox'
import { Problem, users } from '@emporium/contracts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { bearerAuth, identityOf, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { Caller } from '../app/ports.js'
import type { Staff } from '../app/staff.js'
import { staffRoutes } from './staff-routes.js'

/** The use cases the routes call, wired by service.ts. */
export interface UsersRoutesDeps {
  register(body: users.RegisterBody): Promise<users.AuthResponse>
  login(body: users.LoginBody): Promise<users.AuthResponse>
  refreshSession(refreshToken: string): Promise<users.TokenResponse>
  /** A new guest's cart token. */
  issueGuestToken(): Promise<users.GuestTokenResponse>
  logout(caller: Caller, refreshToken: string): Promise<void>
  getMe(caller: Caller): Promise<users.Me>
  updateMe(caller: Caller, patch: users.PatchMeBody): Promise<users.User>
  verifyEmail(token: string, caller?: Caller): Promise<void>
  resendVerification(caller: Caller): Promise<users.VerificationSent>
  changePassword(caller: Caller, body: users.ChangePasswordBody): Promise<void>
  setAdmin(body: users.AdminRoleBody): Promise<users.AdminRoleResult>
  requestPasswordReset(body: users.PasswordResetRequestBody): Promise<users.PasswordResetRequested>
  resetPassword(body: users.PasswordResetConfirmBody): Promise<void>
  addresses: {
    list(caller: Caller): Promise<users.AddressList>
    add(caller: Caller, body: users.AddressInput): Promise<users.SavedAddress>
    update(caller: Caller, id: string, patch: users.AddressPatch): Promise<users.SavedAddress>
    remove(caller: Caller, id: string): Promise<void>
  }
  /**
   * `onRequest` of the internal admin route: only the `admin-cli` service credential passes.
   * Undefined: the route is not served (the command then writes to the database itself).
   */
  adminCaller?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /** Staff and their roles (issue 19): `/staff` (staff-routes.ts). */
  staff?: Staff
  /** Verifies the access tokens of the bearer routes (and refuses revoked ones). */
  verifier: JwtVerifier
  /** The public keys that verify access tokens. */
  jwks(): users.Jwks
}

const tags = ['identity']

/**
 * API.md's Identity table, at the service's root: the gateway maps `/api/v1/auth/*` and
 * `/api/v1/users/*` here by stripping `/api/v1`. JWKS is public and served as is.
 */
export function usersRoutes(deps: UsersRoutesDeps): HttpRoutes {
  return async (app) => {
    // `onRequest`: a caller without a valid token is refused before its body is even parsed.
    // The platform's hook answers 401 `AUTH.*` with `www-authenticate`, as every service does.
    const bearer = bearerAuth(deps.verifier)
    // Every bearer route here is an account's: a guest's cart token (roles ['guest']) is a 403
    // AUTH.GUEST_NOT_ALLOWED, after the token's own checks (a bad token is still a 401).
    const auth = { authenticate: bearer.requireAccount }
    // The caller the hook let through.
    const caller = (request: FastifyRequest): Caller => identityOf(request)!
    /*
     * A route that anyone may call but that does more for a signed-in caller: with no
     * `Authorization` header the caller is anonymous; a header that is there must be valid (else
     * the same 401 as a bearer route), never silently ignored.
     */
    const optionalBearer = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (request.headers.authorization !== undefined) await auth.authenticate(request, reply)
    }
    if (deps.staff) await app.register(staffRoutes({ verifier: deps.verifier, staff: deps.staff }))

    app.post(
      '/auth/register',
      {
        schema: {
          tags,
          summary: 'Create an account and sign in',
          body: users.RegisterBody,
          response: { 201: users.AuthResponse, 400: Problem, 409: Problem },
        },
      },
      async (request, reply) => reply.code(201).send(await deps.register(request.body)),
    )

    app.post(
      '/auth/login',
      {
        schema: {
          tags,
          summary: 'Sign in with e-mail and password',
          body: users.LoginBody,
          response: { 200: users.AuthResponse, 400: Problem, 401: Problem },
        },
      },
      async (request) => deps.login(request.body),
    )

    app.post(
      '/auth/refresh',
      {
        schema: {
          tags,
          summary: 'Exchange a refresh token for new tokens (the old one is spent)',
          body: users.RefreshBody,
          response: { 200: users.TokenResponse, 400: Problem, 401: Problem },
        },
      },
      async (request) => deps.refreshSession(request.body.refreshToken),
    )

    app.post(
      '/auth/guest',
      {
        schema: {
          tags,
          summary: "A guest's cart token: shop without an account",
          description:
            'Anyone may ask (the gateway limits how often per client). The token is an access ' +
            "token of a new guest (`sub` `guest_<uuid>`, roles `['guest']`, no session) that " +
            'lasts USERS_GUEST_TOKEN_TTL_SECONDS (30 days): the cart, orders and payments know ' +
            'the guest by it as they know an account. Send it as `X-Cart-Token` (the gateway ' +
            'also keeps it in the HttpOnly cookie `emporium_cart`); routes for accounts refuse ' +
            'it with 403 `AUTH.GUEST_NOT_ALLOWED`. At sign-in, `POST /cart/merge` moves its cart.',
          response: { 201: users.GuestTokenResponse },
        },
      },
      async (_request, reply) => reply.code(201).send(await deps.issueGuestToken()),
    )

    app.post(
      '/auth/logout',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: "Sign out: revoke the refresh token's whole family",
          body: users.LogoutBody,
          response: { 204: Type.Null({ description: 'Signed out.' }), 400: Problem, 401: Problem },
        },
      },
      async (request, reply) => {
        await deps.logout(caller(request), request.body.refreshToken)
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/auth/verify-email',
      {
        onRequest: optionalBearer,
        schema: {
          tags,
          summary: 'Prove the e-mail address with the token of the verification link',
          description:
            'Needs no sign-in. An optional bearer access token of the same account also grants ' +
            '`admin` to an ADMIN_EMAILS address (the link alone never does); an invalid bearer is ' +
            'a 401, the bearer of another account a 403 `USERS.VERIFICATION_FOR_ANOTHER_ACCOUNT` ' +
            'and nothing changes.',
          body: users.VerifyEmailBody,
          response: {
            204: Type.Null({ description: 'The address is verified.' }),
            400: Problem,
            401: Problem,
            403: Problem,
            410: Problem,
          },
        },
      },
      async (request, reply) => {
        await deps.verifyEmail(request.body.token, identityOf(request))
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/auth/verify-email/resend',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'Send the caller a new verification link',
          response: { 202: users.VerificationSent, 401: Problem, 409: Problem },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await deps.resendVerification(caller(request))),
    )

    app.post(
      '/users/me/password',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: "Change the caller's password; every other session is signed out",
          body: users.ChangePasswordBody,
          response: {
            204: Type.Null({ description: 'Changed; the other sessions are revoked.' }),
            400: Problem,
            401: Problem,
            403: Problem,
          },
        },
      },
      async (request, reply) => {
        await deps.changePassword(caller(request), request.body)
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/auth/password-reset',
      {
        schema: {
          tags,
          summary: 'Mail a single-use password reset link to an account',
          description:
            'The same 202 and empty object for any well-formed address, registered or not. For ' +
            'an account, a link valid for USERS_PASSWORD_RESET_TTL_SECONDS (1 hour) is mailed; ' +
            'it voids the links sent before it.',
          body: users.PasswordResetRequestBody,
          response: { 202: users.PasswordResetRequested, 400: Problem },
        },
      },
      async (request, reply) => reply.code(202).send(await deps.requestPasswordReset(request.body)),
    )

    app.post(
      '/auth/password-reset/confirm',
      {
        schema: {
          tags,
          summary: 'Set a new password with the token of a reset link; every session ends',
          description:
            'A used, replaced, expired or unknown token is a 400 `USERS.RESET_TOKEN_INVALID`; a ' +
            'weak password a 400 `USERS.WEAK_PASSWORD` (the token stays usable). The link proves ' +
            'the address: an unverified one becomes verified.',
          body: users.PasswordResetConfirmBody,
          response: {
            204: Type.Null({ description: 'Changed; every session of the account is revoked.' }),
            400: Problem,
          },
        },
      },
      async (request, reply) => {
        await deps.resetPassword(request.body)
        return reply.code(204).send(null)
      },
    )

    app.get(
      '/users/me/addresses',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: "The caller's saved addresses: the default first, then the newest",
          response: { 200: users.AddressList, 401: Problem },
        },
      },
      async (request) => deps.addresses.list(caller(request)),
    )

    app.post(
      '/users/me/addresses',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'Save an address (at most 20; the first is the default)',
          body: users.AddressInput,
          response: { 201: users.SavedAddress, 400: Problem, 401: Problem, 409: Problem },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await deps.addresses.add(caller(request), request.body)),
    )

    app.patch(
      '/users/me/addresses/:id',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'Change a saved address; `isDefault: true` makes it the default',
          description:
            '`line2`, `region`, `phone` and `label` may be null to clear them. `isDefault: false` ' +
            'on the default address is a 400 `USERS.DEFAULT_ADDRESS_REQUIRED`.',
          params: users.AddressParams,
          body: users.AddressPatch,
          response: { 200: users.SavedAddress, 400: Problem, 401: Problem, 404: Problem },
        },
      },
      async (request) => deps.addresses.update(caller(request), request.params.id, request.body),
    )

    app.delete(
      '/users/me/addresses/:id',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'Delete a saved address; a deleted default passes to the last updated one',
          params: users.AddressParams,
          response: {
            204: Type.Null({ description: 'Deleted.' }),
            401: Problem,
            404: Problem,
          },
        },
      },
      async (request, reply) => {
        await deps.addresses.remove(caller(request), request.params.id)
        return reply.code(204).send(null)
      },
    )

    if (deps.adminCaller) {
      app.post(
        '/internal/admins',
        {
          onRequest: deps.adminCaller,
          schema: {
            tags: ['internal'],
            summary: 'Grant or revoke admin (the `npm run admin` command only)',
            body: users.AdminRoleBody,
            response: {
              200: users.AdminRoleResult,
              400: Problem,
              401: Problem,
              403: Problem,
              404: Problem,
            },
          },
        },
        async (request) => deps.setAdmin(request.body),
      )
    }

    app.get(
      '/users/me',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'The caller’s account',
          response: { 200: users.Me, 401: Problem },
        },
      },
      async (request) => deps.getMe(caller(request)),
    )

    app.patch(
      '/users/me',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'Change the caller’s name (nothing else is writable)',
          body: users.PatchMeBody,
          response: { 200: users.User, 400: Problem, 401: Problem },
        },
      },
      async (request) => deps.updateMe(caller(request), request.body),
    )

    app.get(
      '/.well-known/jwks.json',
      {
        schema: {
          tags,
          summary: 'Public keys that verify access tokens',
          response: { 200: users.Jwks },
        },
      },
      async (_request, reply) =>
        // Verifiers cache it; an unknown kid should make them fetch it again.
        reply.header('cache-control', 'public, max-age=300').send(deps.jwks()),
    )
  }
}
