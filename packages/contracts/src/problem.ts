import Type from 'typebox'

/** One failing field of a request. */
export const FieldError = Type.Object({
  /** JSON pointer-like path of the field, e.g. `/body/quantity`. */
  path: Type.String(),
  /** What is wrong with it. */
  message: Type.String(),
})

/** RFC 9457 problem document, the body of every error response. */
export const Problem = Type.Object({
  /** URI identifying the problem type. */
  type: Type.String(),
  /** Short human summary of the problem type. */
  title: Type.String(),
  /** HTTP status code. */
  status: Type.Integer(),
  /** Human explanation of this occurrence. */
  detail: Type.String(),
  /** Stable, namespaced error code clients key on, e.g. `ORDERS.NOT_CANCELLABLE`. */
  code: Type.Optional(Type.String()),
  /** The request id, to quote to support. */
  instance: Type.Optional(Type.String()),
  /** Failing fields of a validation error. */
  errors: Type.Optional(Type.Array(FieldError)),
})
export type Problem = Type.Static<typeof Problem>
