import type { Money } from '../domain/order.js'
import type { Promotion, PromotionDefinition, PromotionPatch } from '../domain/promotion.js'
import type { AuditOf } from '@emporium/contracts'

/** A promotion applied to an order: its use reserved (or, for a preview, possible). */
export interface AppliedPromotion {
  promotionId: string
  /** The code as stored (upper-case). */
  code: string
  /** What the promotion takes off the subtotal (never more than it). */
  discount: Money
}

/** Bound to the order's transaction. */
export interface PromotionUses {
  /**
   * Locks the promotion's row (SELECT … FOR UPDATE), checks every rule counting uses 'reserved'
   * + 'spent' (total and for customerId), inserts a 'reserved' use for orderId; throws AppError
   * with the codes of domain/promotion.ts. Idempotent for the same orderId (the use reserved
   * already is answered again, whatever the counts now); 409 `ORDERS.PROMOTION_USE_CONFLICT`
   * when the order holds another promotion's use, or gave this one back.
   * Call it late in the transaction: the promotion's row stays locked until commit.
   */
  reserve(input: {
    code: string
    orderId: string
    customerId: string
    subtotal: Money
    now: Date
  }): Promise<AppliedPromotion>
  /** reserved → spent (at confirmation); no-op when already spent or no use. */
  spend(orderId: string): Promise<void>
  /** reserved|spent → released (at cancellation), giving the use back; no-op otherwise. */
  release(orderId: string): Promise<void>
}

/** A promotion with its uses, as admins see it. */
export interface PromotionWithUses extends Promotion {
  /** Uses spent (orders confirmed with it, not cancelled since). */
  uses: number
  /** Uses reserved by orders not yet confirmed. */
  reserved: number
}

export interface PromotionListCriteria {
  active?: boolean
  /** Newest first, after this promotion (its creation time and id). */
  after?: { createdAt: Date; id: string }
  limit: number
}

/** Promotions outside an order's transaction: the checkout's preview and the admins' CRUD. */
export interface PromotionCatalog {
  /** Read-only check for a checkout quote (no reservation): the same rules as `reserve`. */
  preview(input: {
    code: string
    customerId: string
    subtotal: Money
    now: Date
  }): Promise<AppliedPromotion>
  /**
   * Stores a new (validated) promotion; 409 `ORDERS.PROMOTION_CODE_TAKEN` if its code is. A
   * staff change's `record` makes its audit event, written to the outbox in its transaction.
   */
  create(
    definition: PromotionDefinition,
    now: Date,
    record?: AuditOf<Promotion>,
  ): Promise<PromotionWithUses>
  find(id: string): Promise<PromotionWithUses | undefined>
  list(criteria: PromotionListCriteria): Promise<PromotionWithUses[]>
  /** Applies the patch (validated as a whole) under the row's lock; undefined if none. */
  update(
    id: string,
    patch: PromotionPatch,
    now: Date,
    record?: AuditOf<Promotion>,
  ): Promise<PromotionWithUses | undefined>
}
