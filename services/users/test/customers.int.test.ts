import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createInProcessBus,
  startService,
  type Database,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createUsersService, loadUsersConfig } from '../src/service.js'
import { generatePrivateJwk } from '../src/infra/signing-keys.js'
import type { UsersTables } from '../src/infra/tables.js'

/**
 * The staff's customers list and page (issue 19) over HTTP on MariaDB/MySQL and PGlite: search by
 * e-mail or name (case-insensitive, LIKE's wildcards taken literally), newest first, pages bound
 * to their search, addresses on the page, customers.read only.
 */
describe.each(['mysql', 'pglite'] as const)('customers of the users service on %s', (kind) => {
  const log = pino({ level: 'silent' })
  const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
  let testDb: TestDatabase
  let running: RunningService
  let owner: string
  let shopper: { id: string; token: string }
  const tag = `${kind}${Date.now().toString(36)}`

  async function call(method: string, path: string, token?: string, body?: unknown) {
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

  async function account(email: string, name: string) {
    const password = `${name}-a-long-passphrase`
    const reply = await call('POST', '/auth/register', undefined, { email, password, name })
    expect(reply.status).toBe(201)
    return { id: reply.body.user.id as string, token: reply.body.accessToken as string }
  }

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    const config = loadUsersConfig({
      LOG_LEVEL: 'silent',
      USERS_DATABASE_URL: testDb.url,
      USERS_SIGNING_KEYS: JSON.stringify([await generatePrivateJwk('customers-key')]),
      USERS_PUBLIC_URL: 'https://shop.example',
    })
    const service = await createUsersService(config, {
      log,
      database: testDb.database,
      passwordHashCost: { memoryCost: 1024, timeCost: 1 },
    })
    running = await startService(service, { port: 0, log, bus })
    const staff = await account(`boss.${tag}@example.com`, 'Boss')
    const db = (testDb.database as Database<UsersTables>).db
    await db.updateTable('users').set({ is_admin: true }).where('id', '=', staff.id).execute()
    const login = await call('POST', '/auth/login', undefined, {
      email: `boss.${tag}@example.com`,
      password: 'Boss-a-long-passphrase',
    })
    owner = login.body.accessToken
    shopper = await account(`ada.${tag}@example.com`, 'Ada Lovelace')
    const grace = await account(`grace.${tag}@example.com`, 'Grace Hopper')
    const other = await account(`ada_100.${tag}@example.com`, 'Someone Else')
    // One second apart, so that "newest first" never rests on ties of the same millisecond.
    const base = Date.now() - 3_600_000
    for (const [i, id] of [staff.id, shopper.id, grace.id, other.id].entries()) {
      await db
        .updateTable('users')
        .set({ created_at: new Date(base + i * 1000) } as never)
        .where('id', '=', id)
        .execute()
    }
  }, 120_000)

  afterAll(async () => {
    await running?.stopHttp()
    await running?.stopRelay()
    await bus.close()
    await running?.close()
    await testDb?.drop()
  })

  it('searches customers by e-mail or name, newest first, for customers.read only', async () => {
    expect((await call('GET', '/customers')).status).toBe(401)
    expect((await call('GET', '/customers', shopper.token)).status).toBe(403)
    const byName = await call('GET', `/customers?q=LOVELACE`, owner)
    expect(byName.status).toBe(200)
    expect(byName.body.items).toMatchObject([
      {
        id: shopper.id,
        email: `ada.${tag}@example.com`,
        name: 'Ada Lovelace',
        emailVerified: false,
      },
    ])
    const byEmail = await call('GET', `/customers?q=${encodeURIComponent(`.${tag}@`)}`, owner)
    expect(byEmail.body.items.map((c: any) => c.name)).toEqual([
      'Someone Else',
      'Grace Hopper',
      'Ada Lovelace',
      'Boss',
    ])
    // `_` is a letter here, not LIKE's any-character: `ada_` is only ada_100.
    const literal = await call('GET', '/customers?q=ada_', owner)
    expect(literal.body.items.map((c: any) => c.name)).toEqual(['Someone Else'])

    const first = await call('GET', `/customers?q=${tag}&limit=3`, owner)
    expect(first.body.items).toHaveLength(3)
    const cursor = encodeURIComponent(first.body.nextCursor)
    const next = await call('GET', `/customers?q=${tag}&limit=3&cursor=${cursor}`, owner)
    expect(next.body).toMatchObject({ items: [{ name: 'Boss' }], nextCursor: null })
    const other = await call('GET', `/customers?q=grace&limit=3&cursor=${cursor}`, owner)
    expect(other.status).toBe(400)
    expect(other.body.code).toBe('USERS.INVALID_CURSOR')
    expect((await call('GET', '/customers?limit=0', owner)).status).toBe(400)
  })

  it('shows a customer with their addresses; an unknown one is a 404', async () => {
    const address = {
      name: 'Ada Lovelace',
      line1: '12 St James Square',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    }
    const added = await call('POST', '/users/me/addresses', shopper.token, address)
    expect(added.status).toBe(201)
    const page = await call('GET', `/customers/${shopper.id}`, owner)
    expect(page.status).toBe(200)
    expect(page.body).toMatchObject({
      id: shopper.id,
      name: 'Ada Lovelace',
      addresses: [{ ...address, isDefault: true }],
    })
    expect((await call('GET', `/customers/${shopper.id}`, shopper.token)).status).toBe(403)
    const missing = await call('GET', '/customers/00000000-0000-4000-8000-000000000000', owner)
    expect(missing.status).toBe(404)
  })
})
