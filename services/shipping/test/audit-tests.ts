import { beforeEach, describe, expect, it } from 'vitest'
import type { Harness } from './shipping-harness.js'
import { confirmOrder, ship, usd } from './shipping-test-support.js'

/** The `audit.recorded` events the service wrote to its outbox for an entity, oldest first. */
async function auditsOf(h: Harness, entityId: string) {
  const rows = await h.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('type', '=', 'audit.recorded')
    .orderBy('seq')
    .execute()
  return rows
    .map(
      (row) =>
        JSON.parse(row.payload) as {
          data: { entity: { id: string }; before: unknown; after: unknown }
        },
    )
    .filter((event) => event.data.entity.id === entityId)
    .map((event) => event.data)
}

/** The subject of a `Bearer …` token: the actor the audit must name. */
function subjectOf(bearer: string): string {
  const payload = bearer.replace(/^Bearer /, '').split('.')[1]!
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string }).sub
}

/** Staff's changes of zones, methods and shipments are audited, each once (issue 19). */
export function auditTests(harness: () => Harness) {
  let h: Harness
  beforeEach(() => {
    h = harness()
  })

  describe('the audit trail of staff changes', () => {
    it('records who created, changed and deleted a zone and a method, with before and after', async () => {
      const actor = { userId: subjectOf(h.admin), roles: ['admin'] }
      const zone = await h.call('POST', '/shipping/zones', {
        name: 'Audited',
        countries: [{ country: 'IS' }],
      })
      expect(zone.status).toBe(201)
      const zoneId = zone.body.id as string
      expect(await auditsOf(h, zoneId)).toMatchObject([
        {
          actor,
          action: 'shipping-zone.created',
          entity: { type: 'shipping-zone', id: zoneId },
          before: null,
          after: { id: zoneId, name: 'Audited', countries: [{ country: 'IS' }] },
        },
      ])

      const method = await h.call('POST', '/shipping/methods', {
        zoneId,
        name: 'Post',
        carrier: 'Posturinn',
        basis: 'flat',
        rates: [{ from: 0, price: usd(500) }],
      })
      expect(method.status).toBe(201)
      const methodId = method.body.id as string
      const changed = await h.call('PATCH', `/shipping/methods/${methodId}`, {
        rates: [{ from: 0, price: usd(650) }],
      })
      expect(changed.status).toBe(200)
      // Refused: an unknown zone (422) changes nothing and records nothing.
      const refused = await h.call('PATCH', `/shipping/methods/${methodId}`, {
        zoneId: 'no-such-zone',
      })
      expect(refused.status).toBe(422)
      expect(await auditsOf(h, methodId)).toMatchObject([
        { actor, action: 'shipping-method.created', before: null, after: { name: 'Post' } },
        {
          actor,
          action: 'shipping-method.updated',
          entity: { type: 'shipping-method', id: methodId },
          before: { rates: [{ from: 0, price: usd(500) }] },
          after: { rates: [{ from: 0, price: usd(650) }] },
        },
      ])
      const updated = (await auditsOf(h, methodId))[1]!
      expect(Object.keys(updated.before as object)).toEqual(['rates'])

      // A zone with a method cannot be deleted: refused, nothing recorded.
      expect((await h.call('DELETE', `/shipping/zones/${zoneId}`)).status).toBe(409)
      expect(await auditsOf(h, zoneId)).toHaveLength(1)

      expect((await h.call('DELETE', `/shipping/methods/${methodId}`)).status).toBe(204)
      const renamed = await h.call('PATCH', `/shipping/zones/${zoneId}`, { name: 'Renamed' })
      expect(renamed.status).toBe(200)
      expect((await h.call('DELETE', `/shipping/zones/${zoneId}`)).status).toBe(204)
      expect((await auditsOf(h, methodId)).slice(2)).toMatchObject([
        { actor, action: 'shipping-method.deleted', before: { id: methodId }, after: null },
      ])
      expect((await auditsOf(h, zoneId)).slice(1)).toMatchObject([
        {
          actor,
          action: 'shipping-zone.updated',
          before: { name: 'Audited' },
          after: { name: 'Renamed' },
        },
        { actor, action: 'shipping-zone.deleted', before: { name: 'Renamed' }, after: null },
      ])
    })

    it('records a shipment created by staff, and none for a refused one', async () => {
      const actor = { userId: subjectOf(h.admin), roles: ['admin'] }
      const { orderId } = await confirmOrder(h, [{ productId: 'p-audit', quantity: 1 }])
      const created = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'p-audit', quantity: 1 }]),
      )
      expect(created.status).toBe(201)
      const again = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'p-audit', quantity: 1 }]),
      )
      expect(again.status).toBe(409)
      const shipmentId = created.body.id as string
      expect(await auditsOf(h, shipmentId)).toMatchObject([
        {
          actor,
          action: 'shipment.created',
          entity: { type: 'shipment', id: shipmentId },
          before: null,
          after: { id: shipmentId, orderId, carrier: 'DHL' },
        },
      ])
      const all = await h.db
        .selectFrom('outbox')
        .select(['payload'])
        .where('type', '=', 'audit.recorded')
        .execute()
      const ofOrder = all.filter((row) => row.payload.includes(orderId))
      expect(ofOrder).toHaveLength(1)
    })

    it('records a shipment marked delivered by staff, once', async () => {
      const actor = { userId: subjectOf(h.admin), roles: ['admin'] }
      const { orderId } = await confirmOrder(h, [{ productId: 'p-delivered', quantity: 1 }])
      const created = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'p-delivered', quantity: 1 }]),
      )
      expect(created.status).toBe(201)
      const shipmentId = created.body.id as string
      const delivered = await h.call('POST', `/shipping/shipments/${shipmentId}/delivered`)
      expect(delivered.status).toBe(200)
      // Delivered already: answered the same, recorded once.
      expect((await h.call('POST', `/shipping/shipments/${shipmentId}/delivered`)).status).toBe(200)
      expect((await h.call('POST', '/shipping/shipments/no-such/delivered')).status).toBe(404)
      const audits = await auditsOf(h, shipmentId)
      expect(audits).toMatchObject([
        { actor, action: 'shipment.created' },
        {
          actor,
          action: 'shipment.delivered',
          entity: { type: 'shipment', id: shipmentId },
          before: { status: 'shipped', deliveredAt: null },
          after: { status: 'delivered', deliveredAt: delivered.body.deliveredAt },
        },
      ])
      expect(Object.keys(audits[1]!.after as object).sort()).toEqual(['deliveredAt', 'status'])
    })
  })
}
