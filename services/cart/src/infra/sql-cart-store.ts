import type { Kysely, Transaction } from 'kysely'
import { cart as contracts } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { CartStore, CartWriter } from '../app/ports.js'
import type { CartLine, StoredCart } from '../domain/cart.js'
import type { CartTables } from './tables.js'

/**
 * Carts in the service's SQL database (embedded mode); idle ones go by `sweepIdle`. With an
 * outbox, a save that starts a cart writes its `cart.started` in the cart's transaction.
 */
export function createSqlCartStore(database: Database<CartTables>, outbox?: Outbox): CartStore {
  const { db } = database
  return {
    ...createSqlCartWriter(db, outbox),
    async saveAll(writes) {
      // One transaction: a compare-and-set that fails rolls back those written before it.
      return db
        .transaction()
        .execute(async (trx) => {
          const writer = createSqlCartWriter(trx)
          for (const { cart, expectedVersion } of writes) {
            if (!(await writer.save(cart, expectedVersion))) throw new LostRace()
          }
          return true
        })
        .catch((error: unknown) => {
          if (error instanceof LostRace) return false
          throw error
        })
    },
    async sweepIdle(idleSince) {
      const result = await db
        .deleteFrom('carts')
        .where('updated_at', '<', idleSince)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

/**
 * The SQL store's reads and compare-and-set writes with the given handle: the database, or a
 * transaction the caller owns (the `order.confirmed` consumer's inbox transaction, so the
 * cart's change commits with its inbox row; on PGlite, with its single connection, the store's
 * own handle would wait for that transaction).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a consumer's transaction (any tables), typed below
export function createSqlCartWriter(handle: Kysely<any>, outbox?: Outbox): CartWriter {
  const db = handle as Kysely<CartTables>
  return {
    async get(userId) {
      const row = await db
        .selectFrom('carts')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirst()
      if (!row) return undefined
      return {
        userId,
        lines: JSON.parse(row.lines) as CartLine[],
        version: Number(row.version),
        updatedAt: new Date(row.updated_at).toISOString(),
        settledOrderIds: JSON.parse(row.settled_order_ids ?? '[]') as string[],
      }
    },
    async save(cart, expectedVersion, started) {
      if (!started) return write(db, cart, expectedVersion)
      // The cart and its event commit together: within the caller's transaction, or one of ours.
      if (!outbox) throw new Error('cart.started needs the SQL cart store built with an outbox')
      const both = async (trx: Transaction<CartTables>) => {
        if (!(await write(trx, cart, expectedVersion))) return false
        await outbox.add(trx, contracts.CartStarted, started)
        return true
      }
      return db.isTransaction ? both(db as Transaction<CartTables>) : db.transaction().execute(both)
    },
  }
}

/** The compare-and-set write of one cart (`CartStore.save` without its event). */
async function write(db: Kysely<CartTables>, cart: StoredCart, expectedVersion: number) {
  const values = {
    lines: JSON.stringify(cart.lines),
    version: cart.version,
    updated_at: new Date(cart.updatedAt),
    settled_order_ids: JSON.stringify(cart.settledOrderIds),
  }
  if (expectedVersion === 0) {
    const result = await db
      .insertInto('carts')
      .values({ user_id: cart.userId, ...values })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
  }
  const result = await db
    .updateTable('carts')
    .set(values)
    .where('user_id', '=', cart.userId)
    .where('version', '=', expectedVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Another write came first to one of the carts of a `saveAll`: its transaction rolls back. */
class LostRace extends Error {}
