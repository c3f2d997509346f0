import type { orders } from '@emporium/contracts'
import { AppError } from '@emporium/platform/errors'
import type { Money } from '../domain/order.js'
import {
  normalizeCode,
  type Promotion,
  validatePromotion,
  type PromotionOffer,
  type PromotionPatch,
} from '../domain/promotion.js'
import { auditOf, type StaffActor as Actor } from '@emporium/contracts'
import { decodeCursor, encodeCursor } from './cursor.js'
import type { PromotionCatalog, PromotionWithUses } from './promotion-ports.js'

/**
 * The admins' promotion use cases (`/promotions`, http/promotion-routes.ts). Staff's changes
 * (an `actor`) are audited in their transaction (issue 19): `promotion.created` (the promotion
 * after), `promotion.updated` and `promotion.deactivated` (the changed fields before and after).
 */
export function createManagePromotions(deps: { catalog: PromotionCatalog; now: () => Date }) {
  const { catalog, now } = deps

  async function found(id: string): Promise<PromotionWithUses> {
    const promotion = await catalog.find(id)
    if (!promotion) throw promotionMissing()
    return promotion
  }

  return {
    async listPromotions(query: orders.ListPromotionsQuery): Promise<orders.PromotionPage> {
      const limit = query.limit ?? 20
      const found = await catalog.list({
        active: query.active,
        after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        limit: limit + 1,
      })
      const page = found.slice(0, limit)
      const last = page.at(-1)
      return {
        items: page.map(toPromotionView),
        nextCursor:
          found.length > limit && last
            ? encodeCursor({ createdAt: last.createdAt, id: last.id })
            : null,
      }
    },

    async getPromotion(id: string): Promise<orders.Promotion> {
      return toPromotionView(await found(id))
    },

    async createPromotion(
      body: orders.CreatePromotionBody,
      actor?: Actor,
    ): Promise<orders.Promotion> {
      const definition = validatePromotion({
        code: normalizeCode(body.code) ?? body.code,
        offer: offerOf(body),
        minSubtotal: body.minSubtotal ?? null,
        startsAt: dateOf(body.startsAt),
        endsAt: dateOf(body.endsAt),
        usageLimit: body.usageLimit ?? null,
        perCustomerLimit: body.perCustomerLimit ?? null,
        active: body.active ?? true,
      })
      const at = now()
      const record = auditOf<Promotion>(actor, 'promotion', at, { view: auditedPromotion })
      return toPromotionView(await catalog.create(definition, at, record))
    },

    async updatePromotion(
      id: string,
      body: orders.UpdatePromotionBody,
      actor?: Actor,
    ): Promise<orders.Promotion> {
      const patch: PromotionPatch = {
        active: body.active,
        minSubtotal: body.minSubtotal,
        startsAt: body.startsAt === undefined ? undefined : dateOf(body.startsAt),
        endsAt: body.endsAt === undefined ? undefined : dateOf(body.endsAt),
        usageLimit: body.usageLimit,
        perCustomerLimit: body.perCustomerLimit,
      }
      const at = now()
      const record = auditOf<Promotion>(actor, 'promotion', at, { view: auditedPromotion })
      const updated = await catalog.update(id, patch, at, record)
      if (!updated) throw promotionMissing()
      return toPromotionView(updated)
    },

    /** `DELETE`: deactivates (a promotion is never deleted: its uses stay counted). */
    async deactivatePromotion(id: string, actor?: Actor): Promise<orders.Promotion> {
      const at = now()
      const record = auditOf<Promotion>(actor, 'promotion', at, {
        view: auditedPromotion,
        updated: 'deactivated',
      })
      const updated = await catalog.update(id, { active: false }, at, record)
      if (!updated) throw promotionMissing()
      return toPromotionView(updated)
    },
  }
}

export type ManagePromotions = ReturnType<typeof createManagePromotions>

/** A promotion as the admin API shows it. */
export function toPromotionView(promotion: PromotionWithUses): orders.Promotion {
  const offer = promotion.offer
  return {
    id: promotion.id,
    code: promotion.code,
    kind: offer.kind,
    percent: offer.kind === 'percentage' ? offer.percent : null,
    amount: offer.kind === 'fixed' ? offer.amount : null,
    minSubtotal: promotion.minSubtotal,
    startsAt: promotion.startsAt?.toISOString() ?? null,
    endsAt: promotion.endsAt?.toISOString() ?? null,
    usageLimit: promotion.usageLimit,
    perCustomerLimit: promotion.perCustomerLimit,
    active: promotion.active,
    uses: promotion.uses,
    reserved: promotion.reserved,
    createdAt: promotion.createdAt.toISOString(),
    updatedAt: promotion.updatedAt.toISOString(),
  }
}

/** A promotion as the audit trail shows it: the admin view's terms, without uses and times. */
function auditedPromotion(promotion: Promotion): object {
  const {
    uses: _uses,
    reserved: _reserved,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    ...terms
  } = toPromotionView({ ...promotion, uses: 0, reserved: 0 })
  return terms
}

/** `percent` goes with `percentage`, `amount` with `fixed`: anything else is a 400. */
function offerOf(body: orders.CreatePromotionBody): PromotionOffer {
  const wrong = (path: string, message: string) =>
    new AppError('invalid', 'ORDERS.INVALID_PROMOTION', 'The promotion is not valid.', {
      details: { errors: [{ path, message }] },
    })
  if (body.kind === 'percentage') {
    if (body.amount !== undefined) throw wrong('/amount', 'is for a fixed promotion only')
    if (body.percent === undefined) throw wrong('/percent', 'is required for a percentage')
    return { kind: 'percentage', percent: body.percent }
  }
  if (body.percent !== undefined) throw wrong('/percent', 'is for a percentage promotion only')
  if (body.amount === undefined) throw wrong('/amount', 'is required for a fixed amount')
  return { kind: 'fixed', amount: body.amount as Money }
}

function dateOf(text: string | null | undefined): Date | null {
  return text === undefined || text === null ? null : new Date(text)
}

function promotionMissing(): AppError {
  return new AppError('not_found', 'ORDERS.PROMOTION_NOT_FOUND', 'No such promotion.')
}
