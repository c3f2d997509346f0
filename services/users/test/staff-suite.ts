import { createHash } from 'node:crypto'
import { decodeJwt } from 'jose'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventEnvelope } from '@emporium/contracts'
import {
  createInProcessBus,
  startService,
  type Database,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, waitFor, type TestDatabase } from '@emporium/platform/testing'
import { createUsersService, loadUsersConfig } from '../src/service.js'
import { generatePrivateJwk } from '../src/infra/signing-keys.js'
import type { UsersTables } from '../src/infra/tables.js'

/**
 * Staff and their roles (issue 19) over HTTP against one database kind: invitations by e-mail
 * (a single-use, hashed, expiring link, `staff.invited` and `audit.recorded` through the outbox),
 * their acceptance (a new account whose tokens carry the role), role changes (audited; never
 * leaving no owner) and `permissions` in `GET /users/me`.
 */
export function staffSuite(kind: DatabaseKind): void {
  describe(`staff of the users service on ${kind}`, () => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const published: EventEnvelope[] = []
    let testDb: TestDatabase
    let running: RunningService
    let owner: { id: string; token: string }
    let customer: { id: string; token: string }

    const db = () => (testDb.database as Database<UsersTables>).db

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      const config = loadUsersConfig({
        LOG_LEVEL: 'silent',
        USERS_DATABASE_URL: testDb.url,
        USERS_SIGNING_KEYS: JSON.stringify([await generatePrivateJwk('staff-key')]),
        USERS_PUBLIC_URL: 'https://shop.example',
      })
      await bus.subscribe({
        consumer: 'staff-test',
        types: ['staff.invited', 'audit.recorded', 'user.registered'],
        handle: async (envelope) => void published.push(envelope),
      })
      const service = await createUsersService(config, {
        log,
        database: testDb.database,
        passwordHashCost: { memoryCost: 1024, timeCost: 1 },
      })
      running = await startService(service, { port: 0, log, bus })
      owner = await account('owner', true)
      customer = await account('shopper', false)
    }, 120_000)

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await bus.close()
      await running?.close()
      await testDb?.drop()
    })

    async function call(method: string, path: string, body?: unknown, token?: string) {
      const headers: Record<string, string> = {}
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (token) headers.authorization = `Bearer ${token}`
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : undefined }
    }

    const password = (who: string) => `${who}-${kind}-a-long-passphrase`

    async function login(email: string, who: string) {
      const reply = await call('POST', '/auth/login', { email, password: password(who) })
      expect(reply.status).toBe(200)
      return reply.body.accessToken as string
    }

    /** A registered account; an owner by the legacy flag (as `npm run admin -- grant` sets). */
    async function account(who: string, admin: boolean) {
      const email = `${who}.${kind}@example.com`
      const reply = await call('POST', '/auth/register', {
        email,
        password: password(who),
        name: who,
      })
      expect(reply.status).toBe(201)
      const id = reply.body.user.id as string
      if (admin)
        await db().updateTable('users').set({ is_admin: true }).where('id', '=', id).execute()
      return { id, token: await login(email, who) }
    }

    async function invitedEvent(email: string) {
      let found: EventEnvelope | undefined
      await waitFor(
        'staff.invited',
        async () => {
          found = published.find(
            (e) => e.type === 'staff.invited' && (e.data as { email: string }).email === email,
          )
          return found !== undefined
        },
        30_000,
      )
      return found!.data as { acceptUrl: string; invitationId: string; role: string }
    }

    const audits = (action: string) =>
      published.filter(
        (e) => e.type === 'audit.recorded' && (e.data as { action: string }).action === action,
      )

    it('lists the staff for staff.manage only', async () => {
      const list = await call('GET', '/staff', undefined, owner.token)
      expect(list.status).toBe(200)
      expect(list.body.items).toEqual([
        expect.objectContaining({ userId: owner.id, roles: ['owner'] }),
      ])
      const refused = await call('GET', '/staff', undefined, customer.token)
      expect(refused.status).toBe(403)
      expect(refused.body).toMatchObject({ code: 'AUTH.FORBIDDEN' })
      expect((await call('GET', '/staff')).status).toBe(401)
    })

    it('invites by e-mail; the link makes an account with the role, once', async () => {
      const email = `helper.${kind}@example.com`
      const invited = await call(
        'POST',
        '/staff/invitations',
        { email, role: 'support' },
        owner.token,
      )
      expect(invited.status).toBe(201)
      expect(invited.body).toMatchObject({ email, role: 'support', expiresAt: expect.any(String) })
      const event = await invitedEvent(email)
      expect(event.acceptUrl).toMatch(/^https:\/\/shop\.example\/staff\/accept#token=[\w-]{43}$/)
      const token = event.acceptUrl.split('#token=')[1]!
      // Only the hash is stored.
      const row = await db()
        .selectFrom('staff_invitations')
        .selectAll()
        .where('id', '=', invited.body.id)
        .executeTakeFirstOrThrow()
      expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
      await waitFor('the audit', async () => audits('staff.invited').length > 0, 30_000)
      expect(audits('staff.invited')[0]!.data).toMatchObject({
        actor: { userId: owner.id },
        entity: { type: 'staff-invitation', id: invited.body.id },
        after: { email, role: 'support' },
      })

      const weak = await call('POST', '/staff/invitations/accept', {
        token,
        name: 'Helper',
        password: 'password123',
      })
      expect(weak.status).toBe(400)
      const body = { token, name: 'Helper', password: password('helper') }
      const accepted = await call('POST', '/staff/invitations/accept', body)
      expect(accepted.status).toBe(201)
      expect(accepted.body.user).toMatchObject({ email, roles: ['customer', 'support'] })
      const again = await call('POST', '/staff/invitations/accept', body)
      expect(again.status).toBe(400)
      expect(again.body).toMatchObject({ code: 'USERS.INVALID_INVITATION' })

      const access = await login(email, 'helper')
      expect(decodeJwt(access).roles).toEqual(['customer', 'support'])
      const me = await call('GET', '/users/me', undefined, access)
      expect(me.body).toMatchObject({ roles: ['customer', 'support'], emailVerified: true })
      expect(me.body.permissions).toEqual(
        expect.arrayContaining(['orders.read', 'orders.manage', 'refunds.write']),
      )
      expect(me.body.permissions).not.toContain('catalog.write')
      // Support may not manage staff.
      expect((await call('GET', '/staff', undefined, access)).status).toBe(403)
      const ownMe = await call('GET', '/users/me', undefined, customer.token)
      expect(ownMe.body.permissions).toEqual([])
    })

    it('refuses bad invitations: an existing account, a bad role, an expired link', async () => {
      const existing = `shopper.${kind}@example.com`
      const taken = await call(
        'POST',
        '/staff/invitations',
        { email: existing, role: 'fulfilment' },
        owner.token,
      )
      expect(taken.status).toBe(409)
      expect(taken.body).toMatchObject({ code: 'USERS.EMAIL_TAKEN' })
      const bad = await call(
        'POST',
        '/staff/invitations',
        { email: `x.${kind}@example.com`, role: 'king' },
        owner.token,
      )
      expect(bad.status).toBe(400)
      const unknown = await call('POST', '/staff/invitations/accept', {
        token: 'nope',
        name: 'X',
        password: password('x'),
      })
      expect(unknown.status).toBe(400)

      const email = `late.${kind}@example.com`
      const invited = await call(
        'POST',
        '/staff/invitations',
        { email, role: 'fulfilment' },
        owner.token,
      )
      const token = (await invitedEvent(email)).acceptUrl.split('#token=')[1]!
      await db()
        .updateTable('staff_invitations')
        .set({ expires_at: new Date(Date.now() - 1000) } as never)
        .where('id', '=', invited.body.id)
        .execute()
      const late = await call('POST', '/staff/invitations/accept', {
        token,
        name: 'Late',
        password: password('late'),
      })
      expect(late.status).toBe(400)
      expect(late.body).toMatchObject({ code: 'USERS.INVALID_INVITATION' })
      expect(
        await db().selectFrom('users').select('id').where('email', '=', email).execute(),
      ).toEqual([])
    })

    it('changes roles, audited, and never removes the last owner', async () => {
      const staffer = await account('picker', false)
      const set = await call(
        'PUT',
        `/staff/${staffer.id}/roles`,
        { roles: ['fulfilment', 'catalog_manager'] },
        owner.token,
      )
      expect(set.status).toBe(200)
      expect(set.body).toMatchObject({
        userId: staffer.id,
        roles: ['catalog_manager', 'fulfilment'],
      })
      await waitFor('the audit', async () => audits('staff.roles-changed').length > 0, 30_000)
      expect(audits('staff.roles-changed')[0]!.data).toMatchObject({
        actor: { userId: owner.id },
        entity: { type: 'user', id: staffer.id },
        before: { roles: [] },
        after: { roles: ['catalog_manager', 'fulfilment'] },
      })
      const token = await login(`picker.${kind}@example.com`, 'picker')
      expect(decodeJwt(token).roles).toEqual(['customer', 'catalog_manager', 'fulfilment'])

      const last = await call('PUT', `/staff/${owner.id}/roles`, { roles: [] }, owner.token)
      expect(last.status).toBe(409)
      expect(last.body).toMatchObject({ code: 'USERS.LAST_OWNER' })
      // With a second owner, the first may step down (the legacy flag goes with it).
      expect(
        (await call('PUT', `/staff/${staffer.id}/roles`, { roles: ['owner'] }, owner.token)).status,
      ).toBe(200)
      const down = await call(
        'PUT',
        `/staff/${owner.id}/roles`,
        { roles: ['support'] },
        owner.token,
      )
      expect(down.status).toBe(200)
      expect(down.body.roles).toEqual(['support'])
      const row = await db()
        .selectFrom('users')
        .selectAll()
        .where('id', '=', owner.id)
        .executeTakeFirstOrThrow()
      expect(Boolean(row.is_admin)).toBe(false)
      // Its older token (which named `admin`) is void at once.
      expect((await call('GET', '/users/me', undefined, owner.token)).status).toBe(401)

      const ownerNow = await login(`picker.${kind}@example.com`, 'picker')
      for (const roles of [['king'], ['owner', 'owner']]) {
        const reply = await call('PUT', `/staff/${staffer.id}/roles`, { roles }, ownerNow)
        expect(reply.status).toBe(400)
      }
      const missing = await call(
        'PUT',
        '/staff/00000000-0000-4000-8000-000000000000/roles',
        { roles: [] },
        ownerNow,
      )
      expect(missing.status).toBe(404)
      expect(
        (await call('PUT', `/staff/${staffer.id}/roles`, { roles: [] }, customer.token)).status,
      ).toBe(403)
    })
  })
}
