import Type from 'typebox'
import {
  PermissionSchema,
  StaffRoleSchema,
  type Permission,
  type StaffRole,
} from '../permissions.js'
import { Text, textPattern } from '../text.js'

/*
 * The users service's HTTP API (API.md, "Identity"). The service mounts these routes at its
 * root (`/auth/register`, `/users/me`, …); the gateway serves them under `/api/v1`.
 */

/** Shortest password accepted at registration. */
export const passwordMinLength = 10
/** Longest password accepted: bounds the cost of hashing what a client sends. */
export const passwordMaxLength = 1024

/**
 * A role. Everyone is a `customer`; `admin` (the owner, from configuration or `npm run admin`) and
 * the staff roles (issue 19: given by an owner) never come from a request of the account itself.
 */
export const Role = Type.Union([
  Type.Literal('customer'),
  Type.Literal('admin'),
  // The union of a mapped list has no static type of its own: given here.
  Type.Unsafe<StaffRole>(StaffRoleSchema),
])
export type Role = Type.Static<typeof Role>

const Email = Type.String({
  format: 'email',
  pattern: textPattern,
  maxLength: 254,
  description: 'E-mail address; compared case-insensitively and stored lower-cased.',
})
const Name = Text({
  minLength: 1,
  maxLength: 100,
  description: 'Display name, 1 to 100 characters once trimmed.',
})

/** Body of `POST /auth/register`. */
export const RegisterBody = Type.Object(
  {
    /** E-mail address of the new account; unique case-insensitively. */
    email: Email,
    /**
     * Password, at least 10 characters (at most 1024), not guessable: common passwords, repeats,
     * sequences and ones built from the e-mail or name are a 400 `USERS.WEAK_PASSWORD` saying why.
     * Never stored nor returned.
     */
    password: Text({
      minLength: passwordMinLength,
      maxLength: passwordMaxLength,
      description:
        'Password, at least 10 characters (at most 1024), not guessable: common passwords, ' +
        'repeats, sequences and ones built from the e-mail or name are a 400 ' +
        '`USERS.WEAK_PASSWORD` saying why. Never stored nor returned.',
    }),
    /** Display name. */
    name: Name,
  },
  { additionalProperties: false },
)
export type RegisterBody = Type.Static<typeof RegisterBody>

/** Body of `POST /auth/login`. */
export const LoginBody = Type.Object(
  {
    /** E-mail address of the account, in any case. */
    email: Text({ minLength: 1, maxLength: 254, description: 'E-mail address, any case.' }),
    /** The account's password. */
    password: Text({
      minLength: 1,
      maxLength: passwordMaxLength,
      description: "The account's password.",
    }),
  },
  { additionalProperties: false },
)
export type LoginBody = Type.Static<typeof LoginBody>

const RefreshToken = Text({
  minLength: 1,
  maxLength: 512,
  description: 'An opaque refresh token, as issued by register, login or refresh.',
})

/** Body of `POST /auth/refresh`. */
export const RefreshBody = Type.Object(
  {
    /** The refresh token to exchange; it is spent by this call (rotation). */
    refreshToken: RefreshToken,
  },
  { additionalProperties: false },
)
export type RefreshBody = Type.Static<typeof RefreshBody>

/** Body of `POST /auth/logout` (with the caller's bearer access token). */
export const LogoutBody = Type.Object(
  {
    /** A refresh token of the session to end: its whole family is revoked. */
    refreshToken: RefreshToken,
  },
  { additionalProperties: false },
)
export type LogoutBody = Type.Static<typeof LogoutBody>

/** An account as other resources show it. */
export const User = Type.Object({
  /** Opaque id of the account (the `sub` of its access tokens). */
  id: Type.String({ description: 'Opaque id of the account (the `sub` of its access tokens).' }),
  /** E-mail address, lower-cased. */
  email: Type.String({ description: 'E-mail address, lower-cased.' }),
  /** Display name. */
  name: Type.String({ description: 'Display name.' }),
  /** Roles of the account: always `customer`, and `admin` for configured e-mails. */
  roles: Type.Array(Role, { description: 'Always `customer`; `admin` for configured e-mails.' }),
  /** Whether the owner proved the address through the link of the verification e-mail. */
  emailVerified: Type.Boolean({
    description: 'Whether the owner proved the address through the verification e-mail.',
  }),
})
export type User = Type.Static<typeof User>

/** The caller's own account, `GET /users/me`. */
export const Me = Type.Object({
  /** Opaque id of the account. */
  id: Type.String({ description: 'Opaque id of the account.' }),
  /** E-mail address, lower-cased. */
  email: Type.String({ description: 'E-mail address, lower-cased.' }),
  /** Display name. */
  name: Type.String({ description: 'Display name.' }),
  /** Roles of the account. */
  roles: Type.Array(Role, { description: 'Roles of the account.' }),
  /** The staff permissions its roles give (issue 19): empty for a shopper. */
  permissions: Type.Optional(
    Type.Array(Type.Unsafe<Permission>(PermissionSchema), {
      description: 'The staff permissions its roles give (empty for a shopper).',
    }),
  ),
  /** Whether the owner proved the address through the link of the verification e-mail. */
  emailVerified: Type.Boolean({
    description: 'Whether the owner proved the address through the verification e-mail.',
  }),
  /** When the account was registered, RFC 3339 UTC. */
  createdAt: Type.String({
    format: 'date-time',
    description: 'When the account was registered, RFC 3339 UTC.',
  }),
})
export type Me = Type.Static<typeof Me>

/** Body of `PATCH /users/me`: only the name is writable; any other field is a 400. */
export const PatchMeBody = Type.Object(
  {
    /** New display name, 1 to 100 characters once trimmed. */
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
)
export type PatchMeBody = Type.Static<typeof PatchMeBody>

/** A new access token and refresh token, `POST /auth/refresh`. */
export const TokenResponse = Type.Object({
  /** JWT to send as `Authorization: Bearer <accessToken>`. */
  accessToken: Type.String({ description: 'JWT to send as `Authorization: Bearer …`.' }),
  /** Opaque token to get the next access token; single use. */
  refreshToken: Type.String({ description: 'Opaque token for the next refresh; single use.' }),
  /** Seconds until the access token expires. */
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
})
export type TokenResponse = Type.Static<typeof TokenResponse>

/** A new session: `POST /auth/register` (201) and `POST /auth/login` (200). */
export const AuthResponse = Type.Object({
  /** The account. */
  user: User,
  /** JWT to send as `Authorization: Bearer <accessToken>`. */
  accessToken: TokenResponse.properties.accessToken,
  /** Opaque token to get the next access token; single use. */
  refreshToken: TokenResponse.properties.refreshToken,
  /** Seconds until the access token expires. */
  expiresIn: TokenResponse.properties.expiresIn,
})
export type AuthResponse = Type.Static<typeof AuthResponse>

/**
 * A guest's cart token: `POST /auth/guest` (201). An access token of its own (a JWT signed like
 * every access token) for a shopper without an account: `sub` is `guest_<uuid>`, `roles` is
 * `['guest']`. Sent as `X-Cart-Token` (API clients) or kept by the gateway in the HttpOnly cookie
 * `emporium_cart` (browsers); merged into the account's cart at sign-in (`POST /cart/merge`).
 */
export const GuestTokenResponse = Type.Object({
  /** The guest's token: send it as `X-Cart-Token: <cartToken>`. */
  cartToken: Type.String({
    description: "The guest's token: send it as `X-Cart-Token` (or keep the cookie).",
  }),
  /** Seconds until it expires (USERS_GUEST_TOKEN_TTL_SECONDS, default 30 days). */
  expiresIn: Type.Integer({ description: 'Seconds until the cart token expires.' }),
})
export type GuestTokenResponse = Type.Static<typeof GuestTokenResponse>

/**
 * The claims of an access token (a JWT signed with EdDSA/Ed25519, or ES256 where configured,
 * its header naming the key in `kid`; verify against `/.well-known/jwks.json`).
 */
export const AccessTokenClaims = Type.Object({
  /** The account id (a guest's: `guest_<uuid>`). */
  sub: Type.String({ description: "The account id (a guest's: `guest_<uuid>`)." }),
  /** The account's roles when the token was issued; a guest's token has `['guest']` only. */
  roles: Type.Array(Type.Union([Role, Type.Literal('guest')]), {
    description: "The account's roles when the token was issued; a guest's: `['guest']`.",
  }),
  /** Issued at, seconds since the epoch. */
  iat: Type.Integer({ description: 'Issued at, seconds since the epoch.' }),
  /** Expires at, seconds since the epoch. */
  exp: Type.Integer({ description: 'Expires at, seconds since the epoch.' }),
  /** Issuer: the users service (`USERS_JWT_ISSUER`, default `emporium-users`). */
  iss: Type.String({ description: 'Issuer (`USERS_JWT_ISSUER`, default `emporium-users`).' }),
  /** Audience: the platform (`USERS_JWT_AUDIENCE`, default `emporium`). */
  aud: Type.String({ description: 'Audience (`USERS_JWT_AUDIENCE`, default `emporium`).' }),
  /** Unique id of this token. */
  jti: Type.String({ description: 'Unique id of this token.' }),
  /** The session (sign-in) it belongs to: logout and a password change revoke by it. */
  sid: Type.Optional(
    Type.String({ description: 'The session it belongs to (logout revokes by it).' }),
  ),
})
export type AccessTokenClaims = Type.Static<typeof AccessTokenClaims>

/** A public key that verifies access tokens (RFC 7517); never carries private material. */
export const PublicJwk = Type.Object({
  /** Key type: `OKP` (Ed25519) or `EC` (P-256). */
  kty: Type.String({ description: 'Key type: `OKP` (Ed25519) or `EC` (P-256).' }),
  /** Curve: `Ed25519` or `P-256`. */
  crv: Type.String({ description: 'Curve: `Ed25519` or `P-256`.' }),
  /** Public key (base64url). */
  x: Type.String({ description: 'Public key, or its x coordinate (base64url).' }),
  /** y coordinate of an EC public key (base64url). */
  y: Type.Optional(Type.String({ description: 'y coordinate of an EC public key (base64url).' })),
  /** Key id, as in the `kid` header of the tokens it verifies. */
  kid: Type.String({ description: 'Key id, as in the `kid` header of the tokens it verifies.' }),
  /** JWS algorithm of the tokens it verifies: `EdDSA` or `ES256`. */
  alg: Type.String({ description: 'JWS algorithm: `EdDSA` or `ES256`.' }),
  /** Always `sig`. */
  use: Type.Literal('sig', { description: 'Always `sig`.' }),
})
export type PublicJwk = Type.Static<typeof PublicJwk>

/** `GET /.well-known/jwks.json`: every key that verifies access tokens, the signing key first. */
export const Jwks = Type.Object({
  /** The public keys. */
  keys: Type.Array(PublicJwk, { description: 'The public keys, the current signing key first.' }),
})
export type Jwks = Type.Static<typeof Jwks>

/** Body of `POST /auth/verify-email`: the token of the link in the verification e-mail. */
export const VerifyEmailBody = Type.Object(
  {
    /** The token the link carries (after `#token=`). */
    token: Type.String({
      minLength: 1,
      maxLength: 4096,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'The token the link of the verification e-mail carries (after `#token=`).',
    }),
  },
  { additionalProperties: false },
)
export type VerifyEmailBody = Type.Static<typeof VerifyEmailBody>

/** `202` of `POST /auth/verify-email/resend`. */
export const VerificationSent = Type.Object({
  /** When the link just sent stops working, RFC 3339 UTC. */
  expiresAt: Type.String({
    format: 'date-time',
    description: 'When the link just sent stops working, RFC 3339 UTC.',
  }),
})
export type VerificationSent = Type.Static<typeof VerificationSent>

const password = (minLength: number, description: string) =>
  Type.String({
    minLength,
    maxLength: passwordMaxLength,
    pattern: '^[^\\u0000-\\u001F\\u007F]*$',
    description,
  })

/** Body of `POST /users/me/password`. */
export const ChangePasswordBody = Type.Object(
  {
    /** The password the account has now. */
    currentPassword: password(1, 'The password the account has now.'),
    /** The new password, under the same rules as at registration. */
    newPassword: password(
      passwordMinLength,
      'The new password, under the same rules as at registration.',
    ),
  },
  { additionalProperties: false },
)
export type ChangePasswordBody = Type.Static<typeof ChangePasswordBody>

/** Body of the internal `POST /internal/admins` (the `npm run admin` command). */
export const AdminRoleBody = Type.Object(
  {
    /** `grant` or `revoke`. */
    action: Type.Union([Type.Literal('grant'), Type.Literal('revoke')], {
      description: '`grant` or `revoke` the admin role.',
    }),
    /** The account's e-mail address, any case. */
    email: Type.String({ minLength: 1, maxLength: 254, pattern: '^[^\\u0000-\\u001F\\u007F]*$' }),
  },
  { additionalProperties: false },
)
export type AdminRoleBody = Type.Static<typeof AdminRoleBody>

/** Answer of `POST /internal/admins`. */
export const AdminRoleResult = Type.Object({
  /** The account. */
  user: User,
  /** Whether the call changed anything (false: it was already so). */
  changed: Type.Boolean({ description: 'Whether the call changed anything.' }),
  /** The address is in ADMIN_EMAILS (a revoke stands: sign-in never grants `admin`). */
  listedInAdminEmails: Type.Boolean({ description: 'The address is in ADMIN_EMAILS.' }),
})
export type AdminRoleResult = Type.Static<typeof AdminRoleResult>
