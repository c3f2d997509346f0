import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type Transaction } from 'kysely'
import { audit } from '@emporium/contracts'
import type { Outbox } from '@emporium/platform'
import { AppError } from '@emporium/platform/errors'
import {
  discountFor,
  normalizeCode,
  patchPromotion,
  promotionNotFound,
  refusal,
  refusalError,
} from '../domain/promotion.js'
import type {
  AppliedPromotion,
  PromotionCatalog,
  PromotionUses,
  PromotionWithUses,
} from '../app/promotion-ports.js'
import { money, toPromotion, toRow } from './promotion-rows.js'
import type { PromotionTables, PromotionsTable } from './promotion-tables.js'

type Executor = Kysely<PromotionTables>

/** Uses that count against the limits. */
const held = ['reserved', 'spent'] as const
/**
 * The same, as literals of the statement's text: the counts are served by the partial index of
 * held uses (migrations/007), which a named statement's generic plan can use only when its text
 * proves the index's predicate (parameters would not; docs/performance.md).
 */
const heldLiterals = held.map((status) => sql.lit(status))
/** migrations/007: the unique code; SQLSTATE 23505 names it. */
const codeConstraint = 'promotions_code_key'
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The promotion uses of one order's transaction (a use case's, or a consumer's inbox's). A
 * reservation locks its promotion's row until commit, so concurrent reservations of one code
 * count each other's uses: the limits hold exactly, whatever the concurrency.
 */
export function promotionUsesIn(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the order's transaction (any tables), typed below
  trx: Transaction<any>,
  options: { now?: () => Date } = {},
): PromotionUses {
  const tx = trx as Transaction<PromotionTables>
  const now = options.now ?? (() => new Date())
  return {
    async reserve(input) {
      const code = normalizeCode(input.code)
      if (code === undefined) throw refusalError(promotionNotFound)
      const row = await tx
        .selectFrom('promotions')
        .selectAll()
        .where('code', '=', code)
        .forUpdate()
        .executeTakeFirst()
      if (!row) throw refusalError(promotionNotFound)
      const promotion = toPromotion(row)
      const existing = await tx
        .selectFrom('promotion_uses')
        .selectAll()
        .where('order_id', '=', input.orderId)
        .executeTakeFirst()
      if (existing) {
        // The same order reserving again (a replayed step): what it got the first time.
        if (existing.promotion_id === promotion.id && existing.status !== 'released') {
          return {
            promotionId: promotion.id,
            code: promotion.code,
            discount: money(existing.discount_amount, existing.currency),
          }
        }
        throw useConflict()
      }
      const counts = await countHeld(tx, promotion.id, input.customerId)
      const refused = refusal(promotion, { subtotal: input.subtotal, now: input.now, ...counts })
      if (refused) throw refusalError(refused)
      const discount = discountFor(promotion, input.subtotal)
      const at = input.now
      try {
        await tx
          .insertInto('promotion_uses')
          .values({
            order_id: input.orderId,
            promotion_id: promotion.id,
            customer_id: input.customerId,
            status: 'reserved',
            discount_amount: discount.amount,
            currency: discount.currency,
            created_at: at,
            updated_at: at,
          })
          .execute()
      } catch (error) {
        // Another promotion's use for this order, committed meanwhile.
        if (isUniqueViolation(error)) throw useConflict()
        throw error
      }
      return { promotionId: promotion.id, code: promotion.code, discount }
    },

    async spend(orderId) {
      await tx
        .updateTable('promotion_uses')
        .set({ status: 'spent', updated_at: now() })
        .where('order_id', '=', orderId)
        .where('status', '=', 'reserved')
        .execute()
    },

    async release(orderId) {
      await tx
        .updateTable('promotion_uses')
        .set({ status: 'released', updated_at: now() })
        .where('order_id', '=', orderId)
        .where('status', 'in', held)
        .execute()
    },
  }
}

/**
 * Promotions outside an order's transaction: previews at checkout and the admins' CRUD, a staff
 * change's audit event in `outbox` in its transaction (issue 19).
 */
export function createSqlPromotionCatalog(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the service's database (any tables), typed below
  database: { db: Kysely<any> },
  outbox: Outbox,
): PromotionCatalog {
  const db = database.db as Executor
  return {
    async preview(input): Promise<AppliedPromotion> {
      const code = normalizeCode(input.code)
      const row =
        code === undefined
          ? undefined
          : await db
              .selectFrom('promotions')
              .selectAll()
              .where('code', '=', code)
              .executeTakeFirst()
      if (!row) throw refusalError(promotionNotFound)
      const promotion = toPromotion(row)
      const counts = await countHeld(db, promotion.id, input.customerId)
      const refused = refusal(promotion, { subtotal: input.subtotal, now: input.now, ...counts })
      if (refused) throw refusalError(refused)
      return {
        promotionId: promotion.id,
        code: promotion.code,
        discount: discountFor(promotion, input.subtotal),
      }
    },

    async create(definition, at, record) {
      const id = randomUUID()
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('promotions')
            .values({ id, ...toRow(definition), created_at: at, updated_at: at })
            .execute()
          const data = record?.(undefined, { ...definition, id, createdAt: at, updatedAt: at })
          if (data) await outbox.add(trx, audit.AuditRecorded, data)
        })
      } catch (error) {
        if (isUniqueViolation(error, codeConstraint)) {
          throw new AppError(
            'conflict',
            'ORDERS.PROMOTION_CODE_TAKEN',
            `The promotion code ${definition.code} exists already.`,
          )
        }
        throw error
      }
      return (await find(db, id))!
    },

    find: (id) => find(db, id),

    async list(criteria) {
      let query = db.selectFrom('promotions').selectAll()
      if (criteria.active !== undefined) query = query.where('active', '=', criteria.active)
      const after = criteria.after
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
          ]),
        )
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(criteria.limit)
        .execute()
      return withUses(db, rows)
    },

    async update(id, patch, at, record) {
      if (!uuidPattern.test(id)) return undefined
      const changed = await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('promotions')
          .selectAll()
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
        if (!row) return false
        const before = toPromotion(row)
        const next = patchPromotion(before, patch)
        await trx
          .updateTable('promotions')
          .set({ ...toRow(next), updated_at: at })
          .where('id', '=', id)
          .execute()
        const data = record?.(before, { ...before, ...next, updatedAt: at })
        if (data) await outbox.add(trx, audit.AuditRecorded, data)
        return true
      })
      return changed ? find(db, id) : undefined
    },
  }
}

/** A promotion's uses held, everyone's and the customer's. */
async function countHeld(
  executor: Executor,
  promotionId: string,
  customerId: string,
): Promise<{ usesSoFar: number; customerUses: number }> {
  const row = await executor
    .selectFrom('promotion_uses')
    .select([
      sql<string>`count(*)`.as('total'),
      sql<string>`count(*) filter (where customer_id = ${customerId})`.as('customer'),
    ])
    .where('promotion_id', '=', promotionId)
    .where('status', 'in', heldLiterals)
    .executeTakeFirstOrThrow()
  return { usesSoFar: Number(row.total), customerUses: Number(row.customer) }
}

async function find(executor: Executor, id: string): Promise<PromotionWithUses | undefined> {
  // Not a uuid: no such promotion (PostgreSQL would refuse the comparison with an error).
  if (!uuidPattern.test(id)) return undefined
  const row = await executor
    .selectFrom('promotions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  return row ? (await withUses(executor, [row]))[0] : undefined
}

async function withUses(executor: Executor, rows: PromotionsTable[]): Promise<PromotionWithUses[]> {
  if (rows.length === 0) return []
  const counts = await executor
    .selectFrom('promotion_uses')
    .select([
      'promotion_id',
      sql<string>`count(*) filter (where status = 'spent')`.as('spent'),
      sql<string>`count(*) filter (where status = 'reserved')`.as('reserved'),
    ])
    .where(
      'promotion_id',
      'in',
      rows.map((r) => r.id),
    )
    .where('status', 'in', heldLiterals)
    .groupBy('promotion_id')
    .execute()
  const byPromotion = new Map(counts.map((c) => [c.promotion_id, c]))
  return rows.map((row) => {
    const count = byPromotion.get(row.id)
    return {
      ...toPromotion(row),
      uses: Number(count?.spent ?? 0),
      reserved: Number(count?.reserved ?? 0),
    }
  })
}

function useConflict(): AppError {
  return new AppError(
    'conflict',
    'ORDERS.PROMOTION_USE_CONFLICT',
    'This order carries another promotion code, or gave its promotion back.',
  )
}

function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null
  return (
    e?.code === '23505' && (constraint === undefined || (e.constraint ?? constraint) === constraint)
  )
}
