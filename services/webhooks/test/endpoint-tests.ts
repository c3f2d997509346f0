import { expect, it } from 'vitest'
import type { Harness } from './webhooks-harness.js'

export const register = async (
  h: Harness,
  url: string,
  eventTypes: string[] = ['webhook.test'],
) => {
  const reply = await h.call('POST', '/webhooks/endpoints', { url, eventTypes })
  expect(reply.status, JSON.stringify(reply.body)).toBe(201)
  return reply.body as { id: string; secret: string; url: string }
}

/** Registration, the endpoints' API and who may call it. */
export function endpointTests(harness: () => Harness) {
  it('lets only staff with webhooks.manage in (401 without a token, 403 without it)', async () => {
    const h = harness()
    const created = await register(h, 'https://partner.example/hooks')
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/webhooks/event-types'],
      ['GET', '/webhooks/endpoints'],
      ['POST', '/webhooks/endpoints', { url: 'https://x.example/', eventTypes: ['order.placed'] }],
      ['GET', `/webhooks/endpoints/${created.id}`],
      ['PATCH', `/webhooks/endpoints/${created.id}`, { enabled: false }],
      ['DELETE', `/webhooks/endpoints/${created.id}`],
      ['POST', `/webhooks/endpoints/${created.id}/secret/rotate`, {}],
      ['POST', `/webhooks/endpoints/${created.id}/test`],
      ['GET', `/webhooks/endpoints/${created.id}/deliveries`],
      [
        'POST',
        `/webhooks/endpoints/${created.id}/replay`,
        { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' },
      ],
      ['GET', '/webhooks/deliveries/some-id'],
      ['POST', '/webhooks/deliveries/some-id/replay'],
    ]
    for (const [method, path, body] of routes) {
      expect((await h.call(method, path, body, {})).status, `${method} ${path}`).toBe(401)
      for (const who of [h.shopper, h.support]) {
        const reply = await h.call(method, path, body, { authorization: who })
        expect(reply.status, `${method} ${path}`).toBe(403)
        expect(reply.body.code).toBe('AUTH.FORBIDDEN')
      }
    }
    // Nothing changed.
    const after = await h.call('GET', `/webhooks/endpoints/${created.id}`)
    expect(after.body.status).toBe('enabled')
  })

  it('lists the event types a partner may subscribe to', async () => {
    const h = harness()
    const reply = await h.call('GET', '/webhooks/event-types')
    expect(reply.status).toBe(200)
    const types = reply.body.items.map((item: { type: string }) => item.type)
    expect(types).toEqual(
      expect.arrayContaining([
        'order.placed',
        'shipment.delivered',
        'product.deleted',
        'webhook.test',
      ]),
    )
  })

  it('registers an endpoint with its secret, shown only once', async () => {
    const h = harness()
    const reply = await h.call('POST', '/webhooks/endpoints', {
      url: 'https://partner.example/hooks#frag',
      eventTypes: ['order.placed', 'order.placed', 'product.updated'],
      description: 'ERP sync',
    })
    expect(reply.status).toBe(201)
    expect(reply.body).toMatchObject({
      url: 'https://partner.example/hooks',
      eventTypes: ['order.placed', 'product.updated'],
      description: 'ERP sync',
      status: 'enabled',
    })
    expect(reply.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/)
    const read = await h.call('GET', `/webhooks/endpoints/${reply.body.id}`)
    expect(read.status).toBe(200)
    expect(read.body.secret).toBeUndefined()
    expect(JSON.stringify(read.body)).not.toContain(reply.body.secret.slice(6))
  })

  it('refuses URLs and bodies that break the rules, with problems', async () => {
    const h = harness()
    const cases: Array<[unknown, number, string?]> = [
      [
        { url: 'http://partner.example/', eventTypes: ['order.placed'] },
        422,
        'WEBHOOKS.INVALID_URL',
      ],
      [
        { url: 'https://u:p@partner.example/', eventTypes: ['order.placed'] },
        422,
        'WEBHOOKS.INVALID_URL',
      ],
      [
        { url: 'ftp://partner.example/', eventTypes: ['order.placed'] },
        422,
        'WEBHOOKS.INVALID_URL',
      ],
      [{ url: 'not a url', eventTypes: ['order.placed'] }, 422, 'WEBHOOKS.INVALID_URL'],
      [{ url: `https://p.example/${'a'.repeat(2100)}`, eventTypes: ['order.placed'] }, 400],
      [{ url: 'https://partner.example/', eventTypes: [] }, 400],
      [{ url: 'https://partner.example/', eventTypes: ['order.exploded'] }, 400],
      [{ url: 'https://partner.example/' }, 400],
      [{ url: 'https://partner.example/', eventTypes: ['order.placed'], secret: 'mine' }, 400],
      [{ url: 'https://partner.example/\u0000', eventTypes: ['order.placed'] }, 400],
    ]
    for (const [body, status, code] of cases) {
      const reply = await h.call('POST', '/webhooks/endpoints', body)
      expect(reply.status, JSON.stringify(body).slice(0, 100)).toBe(status)
      expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/)
      if (code) expect(reply.body.code).toBe(code)
    }
    // http on the development allow-list passes.
    expect(
      (
        await h.call('POST', '/webhooks/endpoints', {
          url: 'http://127.0.0.1:1/h',
          eventTypes: ['webhook.test'],
        })
      ).status,
    ).toBe(201)
  })

  it('changes, disables, enables, pages and deletes endpoints', async () => {
    const h = harness()
    const a = await register(h, 'https://a.example/')
    const b = await register(h, 'https://b.example/')
    const patched = await h.call('PATCH', `/webhooks/endpoints/${a.id}`, {
      url: 'https://a2.example/',
      eventTypes: ['order.shipped'],
      description: 'moved',
      enabled: false,
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({
      url: 'https://a2.example/',
      eventTypes: ['order.shipped'],
      description: 'moved',
      status: 'disabled',
      disabledReason: 'manual',
    })
    const bad = await h.call('PATCH', `/webhooks/endpoints/${a.id}`, { url: 'http://a.example/' })
    expect(bad.status).toBe(422)
    expect((await h.call('PATCH', `/webhooks/endpoints/${a.id}`, {})).status).toBe(400)
    const enabled = await h.call('PATCH', `/webhooks/endpoints/${a.id}`, {
      enabled: true,
      description: null,
    })
    expect(enabled.body.status).toBe('enabled')
    expect(enabled.body.disabledReason).toBeUndefined()
    expect(enabled.body.description).toBeUndefined()

    const first = await h.call('GET', '/webhooks/endpoints?limit=1')
    expect(first.body.items).toHaveLength(1)
    expect(first.body.items[0].id).toBe(b.id) // newest first
    const second = await h.call(
      'GET',
      `/webhooks/endpoints?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    )
    expect(second.body.items[0].id).toBe(a.id)
    expect((await h.call('GET', '/webhooks/endpoints?cursor=nonsense')).status).toBe(400)
    expect((await h.call('GET', '/webhooks/endpoints?limit=101')).status).toBe(400)

    expect((await h.call('DELETE', `/webhooks/endpoints/${a.id}`)).status).toBe(204)
    const gone = await h.call('GET', `/webhooks/endpoints/${a.id}`)
    expect(gone.status).toBe(404)
    expect(gone.body.code).toBe('WEBHOOKS.ENDPOINT_NOT_FOUND')
    expect((await h.call('DELETE', `/webhooks/endpoints/${a.id}`)).status).toBe(404)
    expect((await h.call('GET', `/webhooks/endpoints/${a.id}/deliveries`)).status).toBe(404)
    expect((await h.call('GET', '/webhooks/deliveries/nope')).status).toBe(404)
    expect((await h.call('POST', '/webhooks/deliveries/nope/replay')).status).toBe(404)
  })
}
