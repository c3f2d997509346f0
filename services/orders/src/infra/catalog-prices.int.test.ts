import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, type Logger } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import type { CatalogPort, KeyClaimRequest } from '../app/ports.js'
import { createCatalogPriceCopy } from './catalog-prices.js'
import type { OrdersTables } from './tables.js'

const silent = { warn: () => {} } as unknown as Logger

// The placement's read (prices, the cart's holder, the key's claim in one statement) on
// PostgreSQL and PGlite: the claim is the statement's own data-modifying WITH.
describe.each(['postgres', 'pglite'] as const)("a placement's read on %s", (kind) => {
  let test: TestDatabase
  let db: Kysely<OrdersTables>
  let copy: CatalogPort
  let fallbacks = 0

  beforeAll(async () => {
    test = await createTestDatabase(kind)
    await migrate(test.database, { migrations: new URL('../../migrations/', import.meta.url) })
    db = test.database.db as Kysely<OrdersTables>
    copy = createCatalogPriceCopy({
      db,
      fallback: (id) => {
        fallbacks++
        return Promise.resolve(
          id === 'known-late'
            ? {
                name: 'Late',
                variants: [{ variantId: id, price: { amount: 900, currency: 'USD' } }],
              }
            : undefined,
        )
      },
      log: silent,
    })
    await db
      .insertInto('catalog_prices')
      .values({
        variant_id: 'lamp',
        product_id: 'lamp',
        label: null,
        name: 'Lamp',
        unit_amount: 2500,
        currency: 'USD',
        deleted: false,
        changed_at: new Date(),
        tax_class: 'standard',
        weight_grams: 300,
      })
      .execute()
  })
  afterAll(async () => {
    await test?.drop()
  })

  const claimOf = (userId: string, key: string): KeyClaimRequest => ({
    userId,
    key,
    token: randomUUID(),
    fingerprint: 'f'.repeat(64),
    now: new Date(),
    leaseMs: 30_000,
  })
  const keyRow = (userId: string, key: string) =>
    db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .executeTakeFirst()
  const lamp = [{ productId: 'lamp', variantId: 'lamp' }]

  it('claims a new key with the prices, and only a new one', async () => {
    const userId = randomUUID()
    const holding = { userId, cartIdentity: 'cart-1' }
    const first = claimOf(userId, 'k1')
    const read = await copy.products(lamp, holding, first)
    expect(read.claimed).toBe(true)
    expect(read.holder).toBeUndefined()
    expect(read.products.get('lamp')?.price).toEqual({ amount: 2500, currency: 'USD' })
    const row = await keyRow(userId, 'k1')
    expect(row).toMatchObject({ state: 'in_progress', claim_token: first.token })
    expect(new Date(row!.lease_until).getTime()).toBe(first.now.getTime() + 30_000)

    // The same key again (a repeat, or one in flight): not claimed, the holder's row unchanged.
    const again = await copy.products(lamp, holding, claimOf(userId, 'k1'))
    expect(again.claimed).toBe(false)
    expect(again.products.get('lamp')?.name).toBe('Lamp')
    expect((await keyRow(userId, 'k1'))?.claim_token).toBe(first.token)

    // Without a claim nothing is written, and `claimed` is not said.
    const plain = await copy.products(lamp, holding)
    expect(plain.claimed).toBeUndefined()
    expect(await keyRow(userId, 'k2')).toBeUndefined()
  })

  it('reads the order holding the cart in the same statement as the claim', async () => {
    const userId = randomUUID()
    const orderId = randomUUID()
    await db
      .insertInto('orders')
      .values({
        id: orderId,
        user_id: userId,
        status: 'pending',
        total_amount: 2500,
        currency: 'USD',
        shipping_address: JSON.stringify({}),
        payment_method_id: 'pm',
        card_last4: '4242',
        card_brand: 'visa',
        cart_identity: 'held',
        payment_attempt: 1,
        deadline_at: new Date(),
        created_at: new Date(),
        updated_at: new Date(),
      })
      .execute()
    const read = await copy.products(lamp, { userId, cartIdentity: 'held' }, claimOf(userId, 'k'))
    expect(read.holder).toBe(orderId)
    expect(read.claimed).toBe(true)
  })

  it('claims when no variant is known, and learns an unknown one from the catalog after', async () => {
    const userId = randomUUID()
    const before = fallbacks
    const read = await copy.products(
      [{ productId: 'known-late', variantId: 'known-late' }],
      { userId, cartIdentity: 'c' },
      claimOf(userId, 'late'),
    )
    expect(fallbacks).toBe(before + 1)
    expect(read.claimed).toBe(true)
    expect(read.products.get('known-late')?.price.amount).toBe(900)
    expect((await keyRow(userId, 'late'))?.state).toBe('in_progress')
  })
})
