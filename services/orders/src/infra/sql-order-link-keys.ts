import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { createOrderLinks, type OrderLinks } from '../domain/order-link.js'
import type { OrdersTables } from './tables.js'

/** Order links whose keys are read once, when a link is first issued or verified. */
export interface LazyOrderLinks {
  /**
   * Reads (or makes) the key now, outside any transaction: the service does so at start, so
   * that issuing a link in the consumer's transaction (order.confirmed) never has to read it
   * through another connection. On PGlite, one connection, that read would wait for the very
   * transaction waiting for it: the consumer, and every query after it, would hang.
   */
  warm(): Promise<void>
  /**
   * `readKey`: the key as the caller's transaction reads it (the consumer's), used when the key
   * was not read yet, so that no other connection is needed inside a transaction.
   */
  issue(orderId: string, now: Date, readKey?: () => Promise<string | undefined>): Promise<string>
  verify(token: string, now: Date): Promise<string | undefined>
}

/**
 * Guests' order links signed with `configured` keys (ORDERS_ORDER_LINK_KEYS: the first signs,
 * all verify), or, when none are configured, with a key kept in orders' own database: made by the
 * first instance to need it (`on conflict do nothing`: racing replicas agree on one), so that
 * every replica and every restart verifies the links mailed before.
 */
export function createSqlOrderLinks(deps: {
  db: Kysely<OrdersTables>
  configured: readonly string[]
  lifetimeMs: number
}): LazyOrderLinks {
  let links: Promise<OrderLinks> | undefined
  const load = async (): Promise<OrderLinks> => {
    if (deps.configured.length > 0) return createOrderLinks(deps.configured, deps.lifetimeMs)
    await deps.db
      .insertInto('order_link_keys')
      .values({ id: 1, key: randomBytes(32).toString('base64url'), created_at: new Date() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
    const row = await deps.db
      .selectFrom('order_link_keys')
      .select('key')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow()
    return createOrderLinks([row.key], deps.lifetimeMs)
  }
  const ready = () => {
    // A failed read is tried again next time.
    links ??= load().catch((error: unknown) => {
      links = undefined
      throw error
    })
    return links
  }
  return {
    warm: async () => {
      await ready()
    },
    async issue(orderId, now, readKey) {
      if (!links && deps.configured.length === 0 && readKey) {
        // Made by migration 009 (or by an earlier start): read in the caller's transaction.
        const key = await readKey()
        if (key !== undefined) links = Promise.resolve(createOrderLinks([key], deps.lifetimeMs))
      }
      return (await ready()).issue(orderId, now)
    },
    verify: async (token, now) => (await ready()).verify(token, now),
  }
}
