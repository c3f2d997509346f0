import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventEnvelope, users } from '@emporium/contracts'
import {
  createInProcessBus,
  startService,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, waitFor, type TestDatabase } from '@emporium/platform/testing'
import { createUsersService, loadUsersConfig } from '../src/service.js'
import { generatePrivateJwk } from '../src/infra/signing-keys.js'

/** Cheap argon2id for tests only (see createArgon2Hasher); production uses the defaults. */
const testHashCost = { memoryCost: 1024, timeCost: 1 }

interface Reply {
  status: number
  body: any
}

const home = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
}

/**
 * The address book and password reset over HTTP against one database kind: the service as the
 * runtime starts it (migrations, outbox relay, in-process bus).
 */
export function accountsSuite(kind: DatabaseKind): void {
  describe(`address book and password reset of the users service on ${kind}`, () => {
    const log = pino({ level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const resets: EventEnvelope<users.UserPasswordResetRequestedData>[] = []
    let testDb: TestDatabase
    let running: RunningService

    beforeAll(async () => {
      const key = await generatePrivateJwk('key-1')
      testDb = await createTestDatabase(kind)
      const config = loadUsersConfig({
        USERS_DATABASE_URL: testDb.url,
        USERS_SIGNING_KEYS: JSON.stringify([key]),
        USERS_PUBLIC_URL: 'https://shop.example',
      })
      await bus.subscribe({
        consumer: 'accounts-test',
        types: ['user.password-reset-requested'],
        handle: async (envelope) =>
          void resets.push(envelope as EventEnvelope<users.UserPasswordResetRequestedData>),
      })
      const service = await createUsersService(config, {
        log,
        database: testDb.database,
        passwordHashCost: testHashCost,
      })
      running = await startService(service, { port: 0, log, bus })
    }, 120_000)

    afterAll(async () => {
      await running?.stopHttp()
      await running?.stopRelay()
      await bus.close()
      await running?.close()
      await testDb?.drop()
    })

    async function call(
      method: string,
      path: string,
      options: { body?: unknown; token?: string } = {},
    ): Promise<Reply> {
      const headers: Record<string, string> = {}
      if (options.body !== undefined) headers['content-type'] = 'application/json'
      if (options.token) headers.authorization = `Bearer ${options.token}`
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      })
      const text = await response.text()
      if (response.status >= 400) {
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      }
      return { status: response.status, body: text && JSON.parse(text) }
    }

    let n = 0
    async function register() {
      n += 1
      const email = `shopper${n}.${kind}@example.com`
      const password = `pass-${n}-${kind}-long-enough`
      const reply = await call('POST', '/auth/register', {
        body: { email, password, name: `Shopper ${n}` },
      })
      expect(reply.status).toBe(201)
      return { email, password, token: reply.body.accessToken as string, ...reply.body }
    }

    it('saves, lists, patches and deletes addresses; the default follows the rules', async () => {
      const { token } = await register()
      const first = await call('POST', '/users/me/addresses', {
        token,
        body: { ...home, line2: 'Flat 2', label: 'Home' },
      })
      expect(first.status).toBe(201)
      expect(first.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        label: 'Home',
        ...home,
        line2: 'Flat 2',
        isDefault: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      })
      const second = await call('POST', '/users/me/addresses', {
        token,
        body: { ...home, line1: '1 Work Road', phone: '+44 20 7946 0000', isDefault: true },
      })
      expect(second.body).toMatchObject({ isDefault: true, label: null })
      let list = await call('GET', '/users/me/addresses', { token })
      expect(list.body.items.map((a: users.SavedAddress) => [a.id, a.isDefault])).toEqual([
        [second.body.id, true],
        [first.body.id, false],
      ])
      const patched = await call('PATCH', `/users/me/addresses/${first.body.id}`, {
        token,
        body: { line2: null, label: null, city: 'Bath', isDefault: true },
      })
      expect(patched.status).toBe(200)
      expect(patched.body).toMatchObject({ city: 'Bath', label: null, isDefault: true })
      expect(patched.body).not.toHaveProperty('line2')
      const unset = await call('PATCH', `/users/me/addresses/${first.body.id}`, {
        token,
        body: { isDefault: false },
      })
      expect(unset.status).toBe(400)
      expect(unset.body.code).toBe('USERS.DEFAULT_ADDRESS_REQUIRED')
      expect((await call('DELETE', `/users/me/addresses/${first.body.id}`, { token })).status).toBe(
        204,
      )
      list = await call('GET', '/users/me/addresses', { token })
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: second.body.id, isDefault: true, phone: '+44 20 7946 0000' }),
      ])
    })

    it("answers 404 for another account's address, an unknown or malformed id; bad bodies are 400", async () => {
      const ada = await register()
      const bob = await register()
      const mine = await call('POST', '/users/me/addresses', { token: ada.token, body: home })
      const path = `/users/me/addresses/${mine.body.id}`
      for (const [method, body] of [
        ['PATCH', { city: 'Bath' }],
        ['DELETE', undefined],
      ] as const) {
        const reply = await call(method, path, { token: bob.token, body })
        expect(reply.status).toBe(404)
        expect(reply.body.code).toBe('USERS.ADDRESS_NOT_FOUND')
        expect(JSON.stringify(reply.body)).not.toContain('London')
      }
      expect((await call('GET', '/users/me/addresses', { token: bob.token })).body.items).toEqual(
        [],
      )
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
        const reply = await call('DELETE', `/users/me/addresses/${encodeURIComponent(id)}`, {
          token: ada.token,
        })
        expect(reply.status).toBe(404)
      }
      for (const body of [
        { ...home, country: 'gb' },
        { ...home, extra: 1 },
        { ...home, label: 'x'.repeat(51) },
        { ...home, name: '' },
        { ...home, line1: 'a\u0000b' },
      ]) {
        expect((await call('POST', '/users/me/addresses', { token: ada.token, body })).status).toBe(
          400,
        )
      }
      expect((await call('PATCH', path, { token: ada.token, body: { city: null } })).status).toBe(
        400,
      )
      expect((await call('GET', '/users/me/addresses')).status).toBe(401)
      const list = await call('GET', '/users/me/addresses', { token: ada.token })
      expect(list.body.items).toEqual([expect.objectContaining({ city: 'London' })])
    })

    it('holds at most 20 addresses, also when two adds race at 19', async () => {
      const { token } = await register()
      for (let i = 0; i < 19; i += 1) {
        const reply = await call('POST', '/users/me/addresses', {
          token,
          body: { ...home, line1: `${i} Road` },
        })
        expect(reply.status).toBe(201)
      }
      const raced = await Promise.all(
        [0, 1, 2].map((i) =>
          call('POST', '/users/me/addresses', { token, body: { ...home, line1: `race ${i}` } }),
        ),
      )
      expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409])
      expect(raced.find((r) => r.status === 409)?.body.code).toBe('USERS.ADDRESS_BOOK_FULL')
      const list = await call('GET', '/users/me/addresses', { token })
      expect(list.body.items).toHaveLength(20)
      expect(list.body.items.filter((a: users.SavedAddress) => a.isDefault)).toHaveLength(1)
    })

    it('resets a password with the mailed link once; every session ends; unknown e-mails get the same 202', async () => {
      const account = await register()
      const unknown = await call('POST', '/auth/password-reset', {
        body: { email: `nobody.${kind}@example.com` },
      })
      expect(unknown).toEqual({ status: 202, body: {} })
      const known = await call('POST', '/auth/password-reset', {
        body: { email: account.email.toUpperCase() },
      })
      expect(known).toEqual({ status: 202, body: {} })
      await waitFor('the reset event', () => resets.some((e) => e.data.email === account.email))
      const event = resets.find((e) => e.data.email === account.email)!
      expect(resets.filter((e) => e.data.email.startsWith('nobody'))).toEqual([])
      expect(event).toMatchObject({ type: 'user.password-reset-requested', version: 1 })
      expect(event.data).toMatchObject({
        userId: account.user.id,
        name: account.user.name,
        resetUrl: expect.stringMatching(
          /^https:\/\/shop\.example\/reset-password#token=[\w-]{43}$/,
        ),
      })
      const token = event.data.resetUrl.split('#token=')[1]!
      const weak = await call('POST', '/auth/password-reset/confirm', {
        body: { token, password: 'password123' },
      })
      expect(weak.status).toBe(400)
      expect(weak.body.code).toBe('USERS.WEAK_PASSWORD')
      const password = `a brand new ${kind} passphrase`
      const done = await call('POST', '/auth/password-reset/confirm', { body: { token, password } })
      expect(done.status).toBe(204)
      const again = await call('POST', '/auth/password-reset/confirm', {
        body: { token, password: `${password} again` },
      })
      expect(again.status).toBe(400)
      expect(again.body.code).toBe('USERS.RESET_TOKEN_INVALID')
      const oldLogin = await call('POST', '/auth/login', {
        body: { email: account.email, password: account.password },
      })
      expect(oldLogin.status).toBe(401)
      const newLogin = await call('POST', '/auth/login', {
        body: { email: account.email, password },
      })
      expect(newLogin.status).toBe(200)
      expect(newLogin.body.user.emailVerified).toBe(true)
      const refresh = await call('POST', '/auth/refresh', {
        body: { refreshToken: account.refreshToken },
      })
      expect(refresh.status).toBe(401)
      expect((await call('GET', '/users/me', { token: account.token })).status).toBe(401)
      const unknownToken = await call('POST', '/auth/password-reset/confirm', {
        body: { token: 'A'.repeat(43), password },
      })
      expect(unknownToken.body.code).toBe('USERS.RESET_TOKEN_INVALID')
      const badEmail = await call('POST', '/auth/password-reset', { body: { email: 'nope' } })
      expect(badEmail.status).toBe(400)
    })
  })
}
