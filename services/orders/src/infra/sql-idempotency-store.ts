import { randomUUID } from 'node:crypto'
import type { Kysely, QueryCreator } from 'kysely'
import type { Database } from '@emporium/platform'
import type { ClaimOutcome, IdempotencyStore, KeyClaimRequest } from '../app/ports.js'
import type { OrdersTables } from './tables.js'

/** Rows deleted per statement by a purge, so one purge never holds many locks. */
const purgeChunk = 1_000

/**
 * The INSERT that claims a new key for `leaseMs` (nothing when the key exists): the store's
 * first statement, and the placement's read of its prices, which claims in the same statement
 * (catalog-prices.ts).
 */
export function claimKeyInsert(executor: QueryCreator<OrdersTables>, request: KeyClaimRequest) {
  return executor
    .insertInto('idempotency_keys')
    .values({
      user_id: request.userId,
      key: request.key,
      fingerprint: request.fingerprint,
      state: 'in_progress',
      claim_token: request.token,
      lease_until: new Date(request.now.getTime() + request.leaseMs),
      response_status: null,
      response_body: null,
      created_at: request.now,
    })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
}

/**
 * Idempotency keys in the service's SQL database. A claim inserts the key (the primary key on
 * (user_id, key) makes concurrent claims of one key wait for the first to commit, then see
 * its row): a new key is one statement; a key that exists is read, and taken over when its lease
 * ran out, in a short transaction of its own.
 */
export function createSqlIdempotencyStore(database: Database): IdempotencyStore {
  const db = database.db as Kysely<OrdersTables>
  return {
    async claim(userId, key, fingerprint, now, leaseMs) {
      const token = randomUUID()
      const leaseUntil = new Date(now.getTime() + leaseMs)
      const insert = (executor: Kysely<OrdersTables>) =>
        claimKeyInsert(executor, {
          userId,
          key,
          token,
          fingerprint,
          now,
          leaseMs,
        }).executeTakeFirst()
      // A new key, the common case: one statement, no transaction around it.
      const first = await insert(db)
      if (Number(first.numInsertedOrUpdatedRows ?? 0) === 1) {
        return { kind: 'claimed', claim: { userId, key, token } }
      }
      return db.transaction().execute(async (trx): Promise<ClaimOutcome> => {
        // Released meanwhile: this insert takes it; else the row is read under its lock.
        const inserted = await insert(trx)
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
          return { kind: 'claimed', claim: { userId, key, token } }
        }
        const row = await trx
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('user_id', '=', userId)
          .where('key', '=', key)
          .forUpdate()
          .executeTakeFirst()
        // Released between our insert and this read: the caller simply claims again.
        if (!row) return { kind: 'in_progress' }
        if (row.fingerprint.trim() !== fingerprint) return { kind: 'reused' }
        if (row.state === 'completed') {
          return {
            kind: 'completed',
            response: { status: Number(row.response_status), body: row.response_body ?? '' },
          }
        }
        if (new Date(row.lease_until).getTime() > now.getTime()) return { kind: 'in_progress' }
        // Its holder is presumed dead: take the key over under a new token.
        await trx
          .updateTable('idempotency_keys')
          .set({ claim_token: token, lease_until: leaseUntil })
          .where('user_id', '=', userId)
          .where('key', '=', key)
          .execute()
        return { kind: 'claimed', claim: { userId, key, token } }
      })
    },

    async release(claim) {
      await db
        .deleteFrom('idempotency_keys')
        .where('user_id', '=', claim.userId)
        .where('key', '=', claim.key)
        .where('claim_token', '=', claim.token)
        .where('state', '=', 'in_progress')
        .execute()
    },

    async purge(before) {
      let total = 0
      for (;;) {
        const result = await db
          .deleteFrom('idempotency_keys')
          .where((eb) =>
            eb(
              eb.refTuple('user_id', 'key'),
              'in',
              eb
                .selectFrom('idempotency_keys')
                .select(['user_id', 'key'])
                .where('created_at', '<', before)
                .limit(purgeChunk)
                .$asTuple('user_id', 'key'),
            ),
          )
          .executeTakeFirst()
        const deleted = Number(result.numDeletedRows)
        total += deleted
        if (deleted < purgeChunk) return total
      }
    },
  }
}
