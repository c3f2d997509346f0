import Type from 'typebox'
import { textPattern } from '../text.js'
import { passwordMaxLength, passwordMinLength } from './http.js'

/* Password reset by a single-use e-mailed link (API.md, "Identity"). */

/** Body of `POST /auth/password-reset`. */
export const PasswordResetRequestBody = Type.Object(
  {
    /** The account's e-mail address, any case. The answer is the same whether it exists or not. */
    email: Type.String({
      format: 'email',
      pattern: textPattern,
      maxLength: 254,
      description: "The account's e-mail address, any case.",
    }),
  },
  { additionalProperties: false },
)
export type PasswordResetRequestBody = Type.Static<typeof PasswordResetRequestBody>

/** `202` of `POST /auth/password-reset`: always empty, whether the account exists or not. */
export const PasswordResetRequested = Type.Object(
  {},
  { description: 'Empty: if the address has an account, a link is on its way.' },
)
export type PasswordResetRequested = Type.Static<typeof PasswordResetRequested>

/** Body of `POST /auth/password-reset/confirm`. */
export const PasswordResetConfirmBody = Type.Object(
  {
    /** The token the link of the e-mail carries (after `#token=`). */
    token: Type.String({
      minLength: 1,
      maxLength: 512,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'The token the link of the reset e-mail carries (after `#token=`).',
    }),
    /** The new password, under the same rules as at registration. */
    password: Type.String({
      minLength: passwordMinLength,
      maxLength: passwordMaxLength,
      pattern: '^[^\\u0000-\\u001F\\u007F]*$',
      description: 'The new password, under the same rules as at registration.',
    }),
  },
  { additionalProperties: false },
)
export type PasswordResetConfirmBody = Type.Static<typeof PasswordResetConfirmBody>
