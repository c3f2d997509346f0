import Type from 'typebox'
import { Money, Price } from '../money.js'
import { CursorParam, Id as IdOf, textPattern } from '../text.js'

/*
 * Promotion codes, managed by admins in the orders service (issue 18; API.md, "Promotions"):
 * `GET /promotions`, `POST /promotions`, `GET|PATCH|DELETE /promotions/{id}`, under `/api/v1` at
 * the gateway. A promotion is never deleted: `DELETE` deactivates it, and its uses stay counted.
 */

const code = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$',
  description:
    'The code shoppers type: 3 to 32 letters, digits, - or _, starting with a letter or digit; ' +
    'case-insensitive (stored and shown upper-case).',
})

const Kind = Type.Union([Type.Literal('percentage'), Type.Literal('fixed')], {
  description: 'percentage: `percent` of the subtotal; fixed: `amount` off it.',
})

const Percent = Type.Integer({
  minimum: 1,
  maximum: 100,
  description: 'For `percentage`: 1 to 100; the discount is rounded half-up to the minor unit.',
})

const Limit = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

const DateTime = (description: string) =>
  Type.String({ format: 'date-time', pattern: textPattern, description })

/** A promotion as admins see it. */
export const Promotion = Type.Object({
  /** The promotion's id. */
  id: Type.String({ description: "The promotion's id." }),
  /** The code, upper-case. */
  code: Type.String({ description: 'The code, upper-case.' }),
  /** `percentage` or `fixed`. */
  kind: Kind,
  /** For `percentage`, 1 to 100; null for `fixed`. */
  percent: Type.Union([Percent, Type.Null()], {
    description: 'For percentage: 1 to 100; null for fixed.',
  }),
  /** For `fixed`: the amount off (capped at the subtotal, only in its currency); null otherwise. */
  amount: Type.Union([Money, Type.Null()], {
    description:
      'For fixed: the amount off, capped at the subtotal; a cart in another currency is refused. ' +
      'Null for percentage.',
  }),
  /** The least subtotal (in its currency) the code applies to; null: none. */
  minSubtotal: Type.Union([Money, Type.Null()], {
    description: 'The least subtotal the code applies to, in its currency; null: none.',
  }),
  /** Valid from (inclusive); null: at once. */
  startsAt: Type.Union([DateTime('Valid from (inclusive).'), Type.Null()]),
  /** Valid until (exclusive); null: no end. */
  endsAt: Type.Union([DateTime('Valid until (exclusive).'), Type.Null()]),
  /** Uses in all (reserved + spent); null: unlimited. */
  usageLimit: Type.Union([Limit, Type.Null()], {
    description: 'Uses in all (reserved + spent); null: unlimited.',
  }),
  /** Uses per customer (reserved + spent); null: unlimited. */
  perCustomerLimit: Type.Union([Limit, Type.Null()], {
    description: 'Uses per customer (reserved + spent); null: unlimited.',
  }),
  /** Whether shoppers may use it; an inactive code is refused as an unknown one. */
  active: Type.Boolean({
    description: 'Whether shoppers may use it; an inactive code is refused as an unknown one.',
  }),
  /** Uses spent: orders confirmed with it and not cancelled since. */
  uses: Type.Integer({
    minimum: 0,
    description: 'Uses spent: orders confirmed with it and not cancelled since.',
  }),
  /** Uses reserved by orders placed and not yet confirmed (they count against the limits). */
  reserved: Type.Integer({
    minimum: 0,
    description: 'Uses reserved by orders not yet confirmed; they count against the limits too.',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type Promotion = Type.Static<typeof Promotion>

/** Body of `POST /promotions` (admin). */
export const CreatePromotionBody = Type.Object(
  {
    /** The code (any case; stored upper-case, unique case-insensitively). */
    code,
    /** `percentage` (with `percent`) or `fixed` (with `amount`). */
    kind: Kind,
    /** For `percentage`: 1 to 100. */
    percent: Type.Optional(Percent),
    /** For `fixed`: the amount off, at least 1 minor unit. */
    amount: Type.Optional(Price),
    /** The least subtotal the code applies to (for `fixed`, in the amount's currency). */
    minSubtotal: Type.Optional(Type.Union([Price, Type.Null()])),
    /** Valid from (inclusive); absent or null: at once. */
    startsAt: Type.Optional(Type.Union([DateTime('Valid from (inclusive).'), Type.Null()])),
    /** Valid until (exclusive), after `startsAt`; absent or null: no end. */
    endsAt: Type.Optional(Type.Union([DateTime('Valid until (exclusive).'), Type.Null()])),
    /** Uses in all; absent or null: unlimited. */
    usageLimit: Type.Optional(Type.Union([Limit, Type.Null()])),
    /** Uses per customer; absent or null: unlimited. */
    perCustomerLimit: Type.Optional(Type.Union([Limit, Type.Null()])),
    /** Whether shoppers may use it (default true). */
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
)
export type CreatePromotionBody = Type.Static<typeof CreatePromotionBody>

/**
 * Body of `PATCH /promotions/{id}` (admin): the fields to change; null clears a limit, a date or
 * the minimum. The code and the offer (`kind`, `percent`, `amount`) never change: orders carry
 * them; create another code instead.
 */
export const UpdatePromotionBody = Type.Object(
  {
    active: Type.Optional(Type.Boolean()),
    minSubtotal: Type.Optional(Type.Union([Price, Type.Null()])),
    startsAt: Type.Optional(Type.Union([DateTime('Valid from (inclusive).'), Type.Null()])),
    endsAt: Type.Optional(Type.Union([DateTime('Valid until (exclusive).'), Type.Null()])),
    /** Lowering it below the uses held refuses further uses only. */
    usageLimit: Type.Optional(Type.Union([Limit, Type.Null()])),
    perCustomerLimit: Type.Optional(Type.Union([Limit, Type.Null()])),
  },
  { additionalProperties: false },
)
export type UpdatePromotionBody = Type.Static<typeof UpdatePromotionBody>

/** Query of `GET /promotions` (admin). */
export const ListPromotionsQuery = Type.Object(
  {
    /** Only active (true) or inactive (false) promotions. */
    active: Type.Optional(
      Type.Boolean({ description: 'Only active (true) or inactive (false) promotions.' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(CursorParam),
  },
  { additionalProperties: false },
)
export type ListPromotionsQuery = Type.Static<typeof ListPromotionsQuery>

/** A page of promotions, newest first. */
export const PromotionPage = Type.Object({
  items: Type.Array(Promotion),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type PromotionPage = Type.Static<typeof PromotionPage>

/** `{id}` of `/promotions/{id}`. */
export const PromotionParams = Type.Object({
  /** The promotion's id. */
  id: IdOf({ description: "The promotion's id." }),
})
export type PromotionParams = Type.Static<typeof PromotionParams>
