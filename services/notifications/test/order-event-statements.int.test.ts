import { randomUUID } from 'node:crypto'
import type { Kysely, KyselyPlugin, QueryId, RootOperationNode } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orders, type EventDefinition } from '@emporium/contracts'
import { migrate, type HandlerContext } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import type { CommittedChange, ConsumerPortsIn } from '../src/app/ports.js'
import {
  onOrderCancelled,
  onOrderConfirmed,
  onOrderPaymentRequested,
  onOrderPlaced,
  onOrderShipped,
} from '../src/events/on-order-events.js'
import { createSqlNotificationWriter } from '../src/infra/sql-messages.js'
import type { NotificationTables } from '../src/infra/tables.js'
import { envelope, orderEvents } from './support.js'

/** What a statement is, for a failure to show: its kind, and the start of a raw one. */
function describeStatement(node: RootOperationNode): string {
  if (node.kind === 'RawNode') return node.sqlFragments.join('?').trim().slice(0, 60)
  if (node.kind === 'InsertQueryNode') return `insert into ${node.into?.table.identifier.name}`
  return node.kind
}

// The round trips an order's events cost the consumer (besides its inbox and transaction): the
// checkout's events each counted through the handlers as the service wires them, on the SQL
// writer, with what they wrote checked too.
describe.each(['postgres', 'pglite'] as const)(
  'order events: statements per event on %s',
  (kind) => {
    let testDb: TestDatabase
    const db = () => testDb.database.db as Kysely<NotificationTables>
    const handedOver: CommittedChange[] = []
    const portsIn: ConsumerPortsIn = (trx) => ({
      writer: createSqlNotificationWriter(trx as Kysely<NotificationTables>, () => new Date()),
      changedAfterCommit: (change) => handedOver.push(change),
    })
    const deps = { portsIn, publicUrl: 'https://shop.example' }

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      await migrate(testDb.database, { migrations: new URL('../migrations/', import.meta.url) })
    })

    afterAll(async () => {
      await testDb?.drop()
    })

    /** Handles one event in a transaction of its own; resolves to the statements it ran. */
    async function statementsOf<D>(
      handle: (data: D, context: HandlerContext) => Promise<void>,
      definition: EventDefinition<string, D>,
      data: D,
    ): Promise<string[]> {
      // A builder embedded in another statement is transformed too, but only what runs has a
      // result.
      const seen = new Map<QueryId, string>()
      const ran: string[] = []
      const counting: KyselyPlugin = {
        transformQuery: ({ node, queryId }) => {
          seen.set(queryId, describeStatement(node))
          return node
        },
        transformResult: async ({ result, queryId }) => {
          ran.push(seen.get(queryId)!)
          return result
        },
      }
      await testDb.database.transaction((trx) =>
        handle(data, { trx: trx.withPlugin(counting), envelope: envelope(definition, data) }),
      )
      return ran
    }

    const mailOf = (orderId: string) =>
      db()
        .selectFrom('messages')
        .select(['template', 'to_address', 'body'])
        .where('order_id', '=', orderId)
        .orderBy('template')
        .execute()

    /** A user whose address is known. */
    async function registered(): Promise<string> {
      const userId = `u-${randomUUID()}`
      await db()
        .insertInto('recipients')
        .values({
          user_id: userId,
          email: 'ada@example.com',
          name: 'Ada',
          registered_at: new Date(),
        })
        .execute()
      return userId
    }

    async function checkout(userId: string) {
      const o = orderEvents(`o-${randomUUID()}`, userId)
      const orderId = o.placed().orderId
      const ran = {
        placed: await statementsOf(onOrderPlaced(deps), orders.OrderPlaced, o.placed()),
        paying: await statementsOf(
          onOrderPaymentRequested(deps),
          orders.OrderPaymentRequested,
          o.paymentRequested(),
        ),
        confirmed: await statementsOf(onOrderConfirmed(deps), orders.OrderConfirmed, o.confirmed()),
      }
      const mail = await mailOf(orderId)
      const changes = handedOver.filter((change) => change.orderId === orderId)
      return { orderId, ran, mail, changes }
    }

    it('costs one statement for a status, and one for the order copy with the address', async () => {
      const userId = await registered()
      const { orderId, ran, mail, changes } = await checkout(userId)
      expect(ran).toEqual({
        placed: [expect.stringMatching(/^with advanced as/)],
        paying: [expect.stringMatching(/^with advanced as/)],
        confirmed: ['SelectQueryNode', expect.stringMatching(/^with advanced as/)],
      })
      expect(mail).toEqual([
        {
          template: 'order_confirmed',
          to_address: 'ada@example.com',
          body: expect.stringMatching(/^Hello Ada,/),
        },
      ])
      expect(changes.map((change) => change.status)).toEqual([
        'pending',
        'awaiting_payment',
        'confirmed',
      ])
      const copy = await db()
        .selectFrom('order_copies')
        .select('user_id')
        .where('order_id', '=', orderId)
        .executeTakeFirst()
      expect(copy).toEqual({ user_id: userId })
    })

    it('reads the order copy again for a user whose address is not known yet', async () => {
      const userId = `u-${randomUUID()}`
      const { ran, mail, changes } = await checkout(userId)
      expect(ran.confirmed).toEqual([
        'SelectQueryNode',
        'SelectQueryNode',
        expect.stringMatching(/^with advanced as/),
      ])
      expect(mail).toEqual([
        {
          template: 'order_confirmed',
          to_address: `user:${userId}`,
          body: expect.stringMatching(/^Hello,/),
        },
      ])
      expect(changes).toHaveLength(3)
    })

    it('queues the mail of an event that does not move the order, in its status statement', async () => {
      const userId = await registered()
      const o = orderEvents(`o-${randomUUID()}`, userId)
      const orderId = o.placed().orderId
      await statementsOf(onOrderPlaced(deps), orders.OrderPlaced, o.placed())
      await statementsOf(onOrderShipped(deps), orders.OrderShipped, o.shipped())
      // Cancelled ranks with shipped: the order stays shipped, the shopper is told anyway.
      const late = await statementsOf(
        onOrderCancelled(deps),
        orders.OrderCancelled,
        o.cancelled('admin_cancelled', 'confirmed'),
      )
      expect(late).toEqual(['SelectQueryNode', expect.stringMatching(/^with advanced as/)])
      expect(await mailOf(orderId)).toMatchObject([
        { template: 'order_cancelled', to_address: 'ada@example.com' },
        { template: 'order_shipped', to_address: 'ada@example.com' },
      ])
      const changes = handedOver.filter((change) => change.orderId === orderId)
      expect(changes.map((change) => change.status)).toEqual(['pending', 'shipped'])
    })
  },
)
