import { randomUUID } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventEnvelope } from '@emporium/contracts'
import {
  createHttpServer,
  createInProcessBus,
  createMetricsRegistry,
  createOutbox,
  redactPaths,
  startService,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, waitFor, type TestDatabase } from '@emporium/platform/testing'
import { createUsersService, loadUsersConfig, type UsersConfig } from '../src/service.js'
import { createKyselyStore } from '../src/infra/kysely-store.js'
import { generatePrivateJwk } from '../src/infra/signing-keys.js'

/** Cheap argon2id for tests only (see createArgon2Hasher); production uses the defaults. */
const testHashCost = { memoryCost: 1024, timeCost: 1 }

interface Reply {
  status: number
  headers: Headers
  body: any
}

/**
 * API.md's Identity table, end to end over real HTTP against one database kind: the service as
 * the runtime starts it (migrations, outbox relay, in-process bus), with its logs captured.
 */
export function identitySuite(kind: DatabaseKind): void {
  describe(`identity API of the users service on ${kind}`, () => {
    const logLines: string[] = []
    const log = pino(
      { level: 'trace', redact: { paths: redactPaths, censor: '[redacted]' } },
      { write: (line: string) => void logLines.push(line) },
    )
    const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
    const published: EventEnvelope[] = []
    /** Every response body, to prove no password or hash ever leaves. */
    const bodies: string[] = []
    const passwords = new Set<string>()
    const tokens = new Set<string>()
    let testDb: TestDatabase
    let running: RunningService
    let oldKey: JWK
    let currentKey: JWK
    let config: UsersConfig

    beforeAll(async () => {
      ;[testDb, oldKey, currentKey] = await Promise.all([
        createTestDatabase(kind),
        generatePrivateJwk('key-2029'),
        generatePrivateJwk('key-2030'),
      ])
      // Through the same loading as main.ts (defaults for the rest: 900 s access tokens…).
      config = loadUsersConfig({
        LOG_LEVEL: 'trace',
        USERS_DATABASE_URL: testDb.url,
        USERS_REFRESH_TOKEN_TTL_SECONDS: '3600',
        // Rotation: the new key signs, the old one still verifies.
        USERS_SIGNING_KEYS: JSON.stringify([currentKey, oldKey]),
        ADMIN_EMAILS: ' Boss@Example.com , ops@example.com',
      })
      await bus.subscribe({
        consumer: 'identity-test',
        types: ['user.registered'],
        handle: async (envelope) => void published.push(envelope),
      })
      const service = await createUsersService(config, {
        log,
        database: testDb.database,
        passwordHashCost: testHashCost,
      })
      running = await startService(service, { port: 0, log, bus })
    })

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
      options: { body?: unknown; token?: string; authorization?: string } = {},
    ): Promise<Reply> {
      const headers: Record<string, string> = {}
      if (options.body !== undefined) headers['content-type'] = 'application/json'
      const authorization = options.authorization ?? (options.token && `Bearer ${options.token}`)
      if (authorization) headers.authorization = authorization
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      })
      const text = await response.text()
      bodies.push(text)
      const body = text && JSON.parse(text)
      for (const token of [body?.accessToken, body?.refreshToken]) {
        if (typeof token === 'string') tokens.add(token)
      }
      return { status: response.status, headers: response.headers, body }
    }

    let n = 0
    async function register(overrides: Record<string, unknown> = {}) {
      n += 1
      const body = {
        email: `User${n}.${kind}@Example.com`,
        password: `pass-${n}-${kind}-long-enough`,
        name: `User ${n}`,
        ...overrides,
      }
      if (typeof body.password === 'string') passwords.add(body.password)
      return { reply: await call('POST', '/auth/register', { body }), body }
    }

    /** Claims of a token this service would issue, for tokens the tests forge. */
    function claims(sub: string, overrides: Record<string, unknown> = {}) {
      const now = Math.floor(Date.now() / 1000)
      return {
        sub,
        roles: ['customer', 'admin'],
        iss: 'emporium-users',
        aud: 'emporium',
        jti: 'forged',
        iat: now,
        exp: now + 600,
        ...overrides,
      }
    }
    async function sign(key: JWK, payload: Record<string, unknown>, kid = key.kid!) {
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
        .sign(await importJWK(key, 'EdDSA'))
    }

    function expectProblem(reply: Reply, status: number, code?: string) {
      expect(reply.status).toBe(status)
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(reply.body).toMatchObject({
        status,
        type: expect.any(String),
        detail: expect.any(String),
      })
      if (code) expect(reply.body.code).toBe(code)
    }

    it('registers: 201 with user, tokens and expiry; e-mail normalised; token signed by the newest key', async () => {
      const { reply, body } = await register()
      expect(reply.status).toBe(201)
      expect(reply.body).toEqual({
        user: {
          id: expect.any(String),
          email: body.email.toLowerCase(),
          name: body.name,
          roles: ['customer'],
          emailVerified: false,
        },
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        refreshToken: expect.stringMatching(/^[\w-]{43}$/),
        expiresIn: 900,
      })
      expect(decodeProtectedHeader(reply.body.accessToken)).toEqual({
        alg: 'EdDSA',
        kid: 'key-2030',
        typ: 'at+jwt',
      })
      expect(decodeJwt(reply.body.accessToken)).toMatchObject({
        sub: reply.body.user.id,
        roles: ['customer'],
        iss: 'emporium-users',
        aud: 'emporium',
        jti: expect.any(String),
        exp: expect.any(Number),
        iat: expect.any(Number),
        // The session: logout and a password change revoke its access tokens by it.
        sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      })
    })

    it('refuses an e-mail registered already in another case with 409; a race of two is one 201 and one 409', async () => {
      const { body } = await register()
      const again = await register({ email: `  ${body.email.toUpperCase()} `.trim() })
      expectProblem(again.reply, 409, 'USERS.EMAIL_TAKEN')
      const email = `race.${kind}@example.com`
      const [a, b] = await Promise.all([
        register({ email }),
        register({ email: email.toUpperCase() }),
      ])
      expect([a.reply.status, b.reply.status].sort()).toEqual([201, 409])
    })

    it('refuses a weak password, a bad e-mail and unknown fields with 400 listing them, writing nothing', async () => {
      const weak = await register({ password: 'short' })
      expectProblem(weak.reply, 400)
      expect(weak.reply.body.errors).toEqual([
        { path: '/body/password', message: expect.any(String) },
      ])

      const bad = await register({ email: 'not-an-email' })
      expectProblem(bad.reply, 400)
      expect(bad.reply.body.errors).toEqual([{ path: '/body/email', message: expect.any(String) }])

      const email = `mass.assign.${kind}@example.com`
      const admin = await register({ email, role: 'admin', roles: ['admin'] })
      expectProblem(admin.reply, 400)
      expect(admin.reply.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        '/body/role',
        '/body/roles',
      ])
      const rows = await testDb.database.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .execute()
      expect(rows).toEqual([])
    })

    it('refuses a guessable password with 400 USERS.WEAK_PASSWORD saying why, writing nothing', async () => {
      const email = `ada.lovelace.${kind}@example.com`
      const cases = [
        ['aaaaaaaaaaaa', /Repeated character/],
        ['password123', /commonly used password/],
        ['lovelace1815!', /personal or page related data/],
      ] as const
      for (const [password, reason] of cases) {
        const weak = await register({ email, name: 'Ada Lovelace', password })
        expectProblem(weak.reply, 400)
        expect(weak.reply.body.code).toBe('USERS.WEAK_PASSWORD')
        expect(weak.reply.body.detail).toMatch(reason)
        expect(weak.reply.body.errors).toEqual([
          { path: '/body/password', message: expect.stringMatching(reason) },
        ])
      }
      const rows = await testDb.database.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .execute()
      expect(rows).toEqual([])
    })

    it('logs in with any e-mail case: 200 with user and tokens', async () => {
      const { reply, body } = await register()
      const login = await call('POST', '/auth/login', {
        body: { email: body.email.toUpperCase(), password: body.password },
      })
      expect(login.status).toBe(200)
      expect(login.body).toEqual({
        user: reply.body.user,
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 900,
      })
    })

    it('answers a wrong e-mail and a wrong password with the same 401 body', async () => {
      const { body } = await register()
      const wrongPassword = await call('POST', '/auth/login', {
        body: { email: body.email, password: 'wrong-password-123' },
      })
      const wrongEmail = await call('POST', '/auth/login', {
        body: { email: `nobody.${kind}@example.com`, password: body.password },
      })
      expectProblem(wrongPassword, 401, 'USERS.INVALID_CREDENTIALS')
      const { instance: _a, ...first } = wrongPassword.body
      const { instance: _b, ...second } = wrongEmail.body
      expect(second).toEqual(first)
      expect(wrongEmail.status).toBe(401)
    })

    it('rotates refresh tokens; reusing a spent one is 401 and revokes the rotated one too', async () => {
      const { reply } = await register()
      const first = reply.body.refreshToken
      const rotated = await call('POST', '/auth/refresh', { body: { refreshToken: first } })
      expect(rotated.status).toBe(200)
      expect(rotated.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 900,
      })
      expect(rotated.body.refreshToken).not.toBe(first)
      expect(rotated.body.accessToken).not.toBe(reply.body.accessToken)

      const reuse = await call('POST', '/auth/refresh', { body: { refreshToken: first } })
      expectProblem(reuse, 401, 'USERS.INVALID_REFRESH_TOKEN')
      const afterReuse = await call('POST', '/auth/refresh', {
        body: { refreshToken: rotated.body.refreshToken },
      })
      expectProblem(afterReuse, 401, 'USERS.INVALID_REFRESH_TOKEN')
      // Only hashes are stored.
      const stored = await testDb.database.db
        .selectFrom('refresh_tokens')
        .select('token_hash')
        .where('token_hash', 'in', [first, rotated.body.refreshToken])
        .execute()
      expect(stored).toEqual([])
    })

    it('lets exactly one of two concurrent refreshes of the same token succeed', async () => {
      const { reply } = await register()
      const refreshToken = reply.body.refreshToken
      const results = await Promise.all([
        call('POST', '/auth/refresh', { body: { refreshToken } }),
        call('POST', '/auth/refresh', { body: { refreshToken } }),
      ])
      expect(results.map((r) => r.status).sort()).toEqual([200, 401])
      // The loser presented a spent token: that is reuse, so the family is revoked, and the
      // winner's new token with it (clients must not refresh one token twice at once).
      const winner = results.find((r) => r.status === 200)!
      const next = await call('POST', '/auth/refresh', {
        body: { refreshToken: winner.body.refreshToken },
      })
      expectProblem(next, 401, 'USERS.INVALID_REFRESH_TOKEN')
    })

    it('logs out: 204 needs the bearer, revokes the family, and leaves other users alone', async () => {
      const mine = (await register()).reply.body
      const theirs = (await register()).reply.body

      const anonymous = await call('POST', '/auth/logout', {
        body: { refreshToken: mine.refreshToken },
      })
      expectProblem(anonymous, 401)
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)

      // Someone else's refresh token: 204, and nothing happens to it.
      const foreign = await call('POST', '/auth/logout', {
        token: mine.accessToken,
        body: { refreshToken: theirs.refreshToken },
      })
      expect(foreign.status).toBe(204)
      const stillWorks = await call('POST', '/auth/refresh', {
        body: { refreshToken: theirs.refreshToken },
      })
      expect(stillWorks.status).toBe(200)

      const logout = await call('POST', '/auth/logout', {
        token: mine.accessToken,
        body: { refreshToken: mine.refreshToken },
      })
      expect(logout.status).toBe(204)
      expect(logout.body).toBe('')
      const refresh = await call('POST', '/auth/refresh', {
        body: { refreshToken: mine.refreshToken },
      })
      expectProblem(refresh, 401, 'USERS.INVALID_REFRESH_TOKEN')
    })

    it('GET /users/me: 200 with the account of the token', async () => {
      const { reply, body } = await register()
      const me = await call('GET', '/users/me', { token: reply.body.accessToken })
      expect(me.status).toBe(200)
      expect(me.body).toEqual({
        id: reply.body.user.id,
        email: body.email.toLowerCase(),
        name: body.name,
        roles: ['customer'],
        permissions: [],
        emailVerified: false,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      })
    })

    it('GET /users/me: 401 AUTH.* with www-authenticate for missing, garbage, expired, wrong-audience, alg none and foreign-key tokens', async () => {
      const { reply } = await register()
      const sub = reply.body.user.id
      const past = Math.floor(Date.now() / 1000) - 3600
      const foreignKey = await generatePrivateJwk('key-2030')
      const cases: Array<[string, { authorization?: string; token?: string }]> = [
        ['missing', {}],
        ['not bearer', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
        ['garbage', { token: 'garbage.token.here' }],
        ['expired', { token: await sign(currentKey, claims(sub, { iat: past, exp: past + 900 })) }],
        ['wrong audience', { token: await sign(currentKey, claims(sub, { aud: 'elsewhere' })) }],
        ['wrong issuer', { token: await sign(currentKey, claims(sub, { iss: 'mallory' })) }],
        ['alg none', { token: new UnsecuredJWT(claims(sub)).encode() }],
        ['another key with our kid', { token: await sign(foreignKey, claims(sub)) }],
        [
          'tampered claims',
          {
            token: ((t: string) => {
              const [h, , s] = t.split('.')
              const p = Buffer.from(JSON.stringify(claims(sub))).toString('base64url')
              return `${h}.${p}.${s}`
            })(reply.body.accessToken),
          },
        ],
      ]
      // The platform's codes and challenges, as every service and the gateway answer: no bearer
      // token is a plain challenge, a token that failed says `invalid_token`.
      const codeOf = (name: string) =>
        name === 'missing' || name === 'not bearer'
          ? 'AUTH.MISSING_TOKEN'
          : name === 'expired'
            ? 'AUTH.TOKEN_EXPIRED'
            : 'AUTH.INVALID_TOKEN'
      for (const [name, auth] of cases) {
        const me = await call('GET', '/users/me', auth)
        expect({ name, status: me.status, code: me.body.code }).toEqual({
          name,
          status: 401,
          code: codeOf(name),
        })
        const challenge = me.headers.get('www-authenticate')
        if (codeOf(name) === 'AUTH.MISSING_TOKEN') {
          expect(challenge, name).toBe('Bearer realm="emporium"')
        } else {
          expect(challenge, name).toMatch(/^Bearer realm="emporium", error="invalid_token"/)
        }
      }
      // A well-formed token of ours still works (the cases above failed for their own reason).
      const valid = await sign(currentKey, claims(sub))
      expect((await call('GET', '/users/me', { token: valid })).status).toBe(200)
    })

    it('PATCH /users/me changes the name only; role, email, id and unknown fields are 400', async () => {
      const { reply, body } = await register()
      const token = reply.body.accessToken
      const renamed = await call('PATCH', '/users/me', { token, body: { name: '  New Name ' } })
      expect(renamed.status).toBe(200)
      expect(renamed.body).toEqual({ ...reply.body.user, name: 'New Name' })
      for (const field of [
        { roles: ['admin'] },
        { role: 'admin' },
        { email: 'other@example.com' },
        { id: 'someone-else' },
        { name: 'x', isAdmin: true },
      ]) {
        const refused = await call('PATCH', '/users/me', { token, body: field })
        expectProblem(refused, 400)
        expect(refused.body.errors.length).toBeGreaterThan(0)
      }
      const blank = await call('PATCH', '/users/me', { token, body: { name: '   ' } })
      expectProblem(blank, 400, 'USERS.INVALID_NAME')
      const me = await call('GET', '/users/me', { token })
      expect(me.body).toMatchObject({
        name: 'New Name',
        email: body.email.toLowerCase(),
        roles: ['customer'],
      })
    })

    it('serves the JWKS: public members only, the signing key first, both keys', async () => {
      const jwks = await call('GET', '/.well-known/jwks.json')
      expect(jwks.status).toBe(200)
      expect(jwks.body.keys.map((k: JWK) => k.kid)).toEqual(['key-2030', 'key-2029'])
      for (const key of jwks.body.keys) {
        expect(key).not.toHaveProperty('d')
        expect(key).toEqual({
          kty: 'OKP',
          crv: 'Ed25519',
          x: expect.any(String),
          kid: key.kid,
          alg: 'EdDSA',
          use: 'sig',
        })
      }
    })

    it('rotation: a token signed by the old key (before rotation) still verifies; new tokens carry the new kid', async () => {
      // The service as it ran before the rotation: the old key alone.
      const before = await createUsersService(
        { ...config, USERS_SIGNING_KEYS: JSON.stringify([oldKey]) },
        { log, database: testDb.database, passwordHashCost: testHashCost },
      )
      const server = createHttpServer({
        service: 'users',
        log,
        registry: createMetricsRegistry('users', { processMetrics: false }),
        routes: before.routes,
      })
      const { body } = await register()
      const login = await server.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: body.email, password: body.password },
      })
      await server.close()
      expect(login.statusCode).toBe(200)
      const oldToken = login.json().accessToken
      expect(decodeProtectedHeader(oldToken).kid).toBe('key-2029')
      expect((await call('GET', '/users/me', { token: oldToken })).status).toBe(200)

      const fresh = await call('POST', '/auth/login', {
        body: { email: body.email, password: body.password },
      })
      expect(decodeProtectedHeader(fresh.body.accessToken).kid).toBe('key-2030')
    })

    /** The link of the newest verification e-mail of the account, from the outbox. */
    async function linkOf(userId: string): Promise<string> {
      const rows = await testDb.database.db
        .selectFrom('outbox')
        .select('payload')
        .where('type', '=', 'user.verification-requested')
        .orderBy('seq')
        .execute()
      const links = rows
        .map((r) => JSON.parse(r.payload as string) as EventEnvelope)
        .filter((e) => (e.data as { userId: string }).userId === userId)
        .map((e) => (e.data as { link: string }).link)
      expect(links.length).toBeGreaterThan(0)
      return links.at(-1)!
    }
    const tokenOf = (link: string) => new URL(link).hash.replace(/^#token=/, '')

    it('gives admin to an ADMIN_EMAILS address only once verified through the link by its own session, which works once', async () => {
      const { reply, body } = await register({ email: 'BOSS@example.COM' })
      expect(reply.status).toBe(201)
      expect(reply.body.user).toMatchObject({ roles: ['customer'], emailVerified: false })
      expect(decodeJwt(reply.body.accessToken).roles).toEqual(['customer'])
      const link = await linkOf(reply.body.user.id)
      expect(link).toMatch(/^http:\/\/localhost:8080\/verify-email#token=[\w-]+\.[\w-]+\.[\w-]+$/)
      const token = tokenOf(link)
      // A verification token is no access token, nor the reverse.
      expect((await call('GET', '/users/me', { token })).status).toBe(401)
      const notALink = await call('POST', '/auth/verify-email', {
        body: { token: reply.body.accessToken },
      })
      expectProblem(notALink, 400, 'USERS.INVALID_VERIFICATION_TOKEN')
      // Altered: the payload changed, the signature kept.
      const [h, p, sig] = token.split('.')
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString())
      const altered = Buffer.from(
        JSON.stringify({ ...payload, email: 'ops@example.com' }),
      ).toString('base64url')
      expectProblem(
        await call('POST', '/auth/verify-email', { body: { token: `${h}.${altered}.${sig}` } }),
        400,
        'USERS.INVALID_VERIFICATION_TOKEN',
      )
      expectProblem(
        await call('POST', '/auth/verify-email', { body: { token: 'not a token' } }),
        400,
      )

      // A bearer that is there must be valid (401), and be the link's own account (403).
      const invalidBearer = await call('POST', '/auth/verify-email', {
        body: { token },
        authorization: 'Bearer not.a.token',
      })
      expectProblem(invalidBearer, 401, 'AUTH.INVALID_TOKEN')
      expect(invalidBearer.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
      const someoneElse = await register()
      expectProblem(
        await call('POST', '/auth/verify-email', {
          body: { token },
          token: someoneElse.reply.body.accessToken,
        }),
        403,
        'USERS.VERIFICATION_FOR_ANOTHER_ACCOUNT',
      )
      const meBefore = await call('GET', '/users/me', { token: reply.body.accessToken })
      expect(meBefore.body).toMatchObject({ roles: ['customer'], emailVerified: false })

      const verified = await call('POST', '/auth/verify-email', {
        body: { token },
        token: reply.body.accessToken,
      })
      expect(verified.status).toBe(204)
      expectProblem(
        await call('POST', '/auth/verify-email', {
          body: { token },
          token: reply.body.accessToken,
        }),
        410,
        'USERS.VERIFICATION_TOKEN_USED',
      )
      const login = await call('POST', '/auth/login', {
        body: { email: body.email, password: body.password },
      })
      expect(login.body.user).toMatchObject({ roles: ['customer', 'admin'], emailVerified: true })
      expect(decodeJwt(login.body.accessToken).roles).toEqual(['customer', 'admin'])
      const me = await call('GET', '/users/me', { token: login.body.accessToken })
      expect(me.body).toMatchObject({ roles: ['customer', 'admin'], emailVerified: true })
      // The session open before verification gets admin at its next refresh.
      const refreshed = await call('POST', '/auth/refresh', {
        body: { refreshToken: reply.body.refreshToken },
      })
      expect(decodeJwt(refreshed.body.accessToken).roles).toEqual(['customer', 'admin'])
    })

    it('verifies a listed address without a session but grants no admin: no account pre-hijacking', async () => {
      // The attacker registers the owner's listed address with the attacker's own password…
      const attacker = await register({ email: 'ops@example.com' })
      expect(attacker.reply.status).toBe(201)
      // …the link goes to the real owner, who opens it without signing in.
      const token = tokenOf(await linkOf(attacker.reply.body.user.id))
      expect((await call('POST', '/auth/verify-email', { body: { token } })).status).toBe(204)
      // The address is verified; the attacker's tokens, old and new, carry no admin.
      const me = await call('GET', '/users/me', { token: attacker.reply.body.accessToken })
      expect(me.body).toMatchObject({ roles: ['customer'], emailVerified: true })
      const login = await call('POST', '/auth/login', {
        body: { email: attacker.body.email, password: attacker.body.password },
      })
      expect(login.status).toBe(200)
      expect(login.body.user).toMatchObject({ roles: ['customer'], emailVerified: true })
      expect(decodeJwt(login.body.accessToken).roles).toEqual(['customer'])
      const refreshed = await call('POST', '/auth/refresh', {
        body: { refreshToken: attacker.reply.body.refreshToken },
      })
      expect(decodeJwt(refreshed.body.accessToken).roles).toEqual(['customer'])
      const meAfter = await call('GET', '/users/me', { token: login.body.accessToken })
      expect(meAfter.body).toMatchObject({ roles: ['customer'] })
      // The spent link cannot be replayed with the attacker's session.
      expectProblem(
        await call('POST', '/auth/verify-email', {
          body: { token },
          token: login.body.accessToken,
        }),
        410,
        'USERS.VERIFICATION_TOKEN_USED',
      )
    })

    it('resends a link (202) to an unverified address only; the bearer is needed', async () => {
      const { reply } = await register()
      const first = await linkOf(reply.body.user.id)
      expect((await call('POST', '/auth/verify-email/resend')).status).toBe(401)
      const resent = await call('POST', '/auth/verify-email/resend', {
        token: reply.body.accessToken,
      })
      expect(resent.status).toBe(202)
      expect(Date.parse(resent.body.expiresAt)).toBeGreaterThan(Date.now() + 86_000_000)
      const second = await linkOf(reply.body.user.id)
      expect(second).not.toBe(first)
      // Either link verifies; then both are spent.
      expect(
        (await call('POST', '/auth/verify-email', { body: { token: tokenOf(first) } })).status,
      ).toBe(204)
      expectProblem(
        await call('POST', '/auth/verify-email', { body: { token: tokenOf(second) } }),
        410,
        'USERS.VERIFICATION_TOKEN_USED',
      )
      expectProblem(
        await call('POST', '/auth/verify-email/resend', { token: reply.body.accessToken }),
        409,
        'USERS.EMAIL_ALREADY_VERIFIED',
      )
    })

    it('logout voids the access tokens of the session at once, not at their expiry', async () => {
      const { reply, body } = await register()
      const other = await call('POST', '/auth/login', {
        body: { email: body.email, password: body.password },
      })
      const token = reply.body.accessToken
      expect((await call('GET', '/users/me', { token })).status).toBe(200)
      const out = await call('POST', '/auth/logout', {
        token,
        body: { refreshToken: reply.body.refreshToken },
      })
      expect(out.status).toBe(204)
      const revoked = await call('GET', '/users/me', { token })
      expectProblem(revoked, 401, 'AUTH.TOKEN_REVOKED')
      expect(revoked.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
      // The optional bearer of verify-email is checked as strictly: a revoked one is refused.
      expectProblem(
        await call('POST', '/auth/verify-email', { token, body: { token: 'x.y.z' } }),
        401,
        'AUTH.TOKEN_REVOKED',
      )
      // The account's other session goes on.
      expect((await call('GET', '/users/me', { token: other.body.accessToken })).status).toBe(200)
      // The entry is stored, so a restart reloads it.
      const stored = await testDb.database.db
        .selectFrom('revocations' as never)
        .select(['kind' as never, 'subject' as never])
        .execute()
      expect(stored).toContainEqual({ kind: 'session', subject: decodeJwt(token).sid })
    })

    it('changes the password (204): other sessions are signed out at once, this one goes on', async () => {
      const { reply, body } = await register()
      const other = await call('POST', '/auth/login', {
        body: { email: body.email, password: body.password },
      })
      const token = reply.body.accessToken
      const newPassword = `tangerine velvet orbit ${kind} 42`
      passwords.add(newPassword)
      expectProblem(
        await call('POST', '/users/me/password', {
          token,
          body: { currentPassword: 'wrong password here', newPassword },
        }),
        403,
        'USERS.WRONG_PASSWORD',
      )
      expectProblem(
        await call('POST', '/users/me/password', {
          token,
          body: { currentPassword: body.password, newPassword: 'aaaaaaaaaaaa' },
        }),
        400,
        'USERS.WEAK_PASSWORD',
      )
      expectProblem(await call('POST', '/users/me/password', { token, body: { newPassword } }), 400)
      const changed = await call('POST', '/users/me/password', {
        token,
        body: { currentPassword: body.password, newPassword },
      })
      expect(changed.status).toBe(204)
      expect((await call('GET', '/users/me', { token })).status).toBe(200)
      expectProblem(await call('GET', '/users/me', { token: other.body.accessToken }), 401)
      expectProblem(
        await call('POST', '/auth/refresh', { body: { refreshToken: other.body.refreshToken } }),
        401,
      )
      const oldLogin = await call('POST', '/auth/login', {
        body: { email: body.email, password: body.password },
      })
      expectProblem(oldLogin, 401)
      const newLogin = await call('POST', '/auth/login', {
        body: { email: body.email, password: newPassword },
      })
      expect(newLogin.status).toBe(200)
    })

    it('writes user.registered to the outbox with the account, and the relay publishes it', async () => {
      const { reply } = await register({ name: 'Evented' })
      const user = reply.body.user
      const rows = await testDb.database.db
        .selectFrom('outbox')
        .select(['type', 'version', 'payload'])
        .where('type', '=', 'user.registered')
        .execute()
      const envelopes = rows.map((r) => JSON.parse(r.payload as string) as EventEnvelope)
      const mine = envelopes.find((e) => (e.data as { userId: string }).userId === user.id)
      expect(mine).toMatchObject({
        type: 'user.registered',
        version: 1,
        source: 'users',
        data: {
          userId: user.id,
          email: user.email,
          name: 'Evented',
          roles: ['customer'],
          registeredAt: expect.any(String),
        },
      })
      expect(Object.keys(mine!.data as object).sort()).toEqual([
        'email',
        'name',
        'registeredAt',
        'roles',
        'userId',
      ])
      // Every registration wrote exactly one, and failed ones none.
      const users = await testDb.database.db.selectFrom('users').select('id').execute()
      expect(envelopes).toHaveLength(users.length)
      await waitFor('the relay to publish it', async () => published.some((e) => e.id === mine!.id))
    })

    it('stores an e-mail once: a second insert of it is email_taken, not a database error', async () => {
      const store = createKyselyStore({
        database: testDb.database,
        outbox: createOutbox({ source: 'users' }),
      })
      const now = new Date()
      const row = (id: string) => ({
        id,
        email: `direct.${kind}@example.com`,
        name: 'Direct',
        passwordHash: 'x',
        emailVerifiedAt: null,
        isAdmin: false,
        createdAt: now,
        updatedAt: now,
      })
      expect(await store.users.insert(row(randomUUID()))).toBe('inserted')
      expect(await store.users.insert(row(randomUUID()))).toBe('email_taken')
      await expect(
        store.transaction(async (tx) => {
          if ((await tx.users.insert(row(randomUUID()))) === 'email_taken') throw new Error('taken')
        }),
      ).rejects.toThrow('taken')
      expect(await store.users.findByEmail(`direct.${kind}@example.com`)).toMatchObject({
        name: 'Direct',
        createdAt: now,
      })
    })

    it('purges the refresh tokens of sessions expired long ago, whole families only', async () => {
      const store = createKyselyStore({
        database: testDb.database,
        outbox: createOutbox({ source: 'users' }),
      })
      const now = new Date()
      const userId = randomUUID()
      await store.users.insert({
        id: userId,
        email: `direct.purge.${kind}@example.com`,
        name: 'Purge',
        passwordHash: 'x',
        emailVerifiedAt: null,
        isAdmin: false,
        createdAt: now,
        updatedAt: now,
      })
      const day = 24 * 60 * 60 * 1000
      const ago = (days: number) => new Date(now.getTime() - days * day)
      const token = (familyId: string, expiresAt: Date) => ({
        tokenHash: randomUUID().replaceAll('-', '') + randomUUID().replaceAll('-', ''),
        familyId,
        userId,
        expiresAt,
        usedAt: null,
        revokedAt: null,
        createdAt: ago(40),
      })
      const [oldFamily, liveFamily] = [randomUUID(), randomUUID()]
      const tokens = [
        token(oldFamily, ago(10)),
        token(oldFamily, ago(9)),
        // A live session keeps its spent, long-expired tokens: reuse detection needs them.
        token(liveFamily, ago(20)),
        token(liveFamily, new Date(now.getTime() + day)),
      ]
      await store.transaction(async (tx) => {
        for (const t of tokens) await tx.refreshTokens.insert(t)
      })
      expect(await store.purgeExpiredSessions(ago(1))).toBe(2)
      const left = await testDb.database.db
        .selectFrom('refresh_tokens')
        .select('family_id')
        .where('user_id', '=', userId)
        .execute()
      expect(left.map((r: { family_id: string }) => r.family_id)).toEqual([liveFamily, liveFamily])
      expect(await store.purgeExpiredSessions(ago(1))).toBe(0)
    })

    it("issues guests' cart tokens that its account routes refuse (403)", async () => {
      const issued = await call('POST', '/auth/guest')
      expect(issued.status).toBe(201)
      const { cartToken, expiresIn } = issued.body as { cartToken: string; expiresIn: number }
      expect(expiresIn).toBe(30 * 86_400)
      const claims = decodeJwt(cartToken)
      expect(claims).toMatchObject({ roles: ['guest'], iss: 'emporium-users', aud: 'emporium' })
      expect(claims.sub).toMatch(/^guest_[0-9a-f-]{36}$/)
      expect(claims.jti).toEqual(expect.any(String))
      expect(claims).not.toHaveProperty('sid')
      expect(claims.exp! - claims.iat!).toBe(30 * 86_400)
      expect(decodeProtectedHeader(cartToken)).toMatchObject({ typ: 'at+jwt' })
      for (const [method, path] of [
        ['GET', '/users/me'],
        ['GET', '/users/me/addresses'],
        ['POST', '/auth/verify-email/resend'],
      ] as const) {
        const refused = await call(method, path, { token: cartToken })
        expect({ path, status: refused.status }).toEqual({ path, status: 403 })
        expect(refused.body).toMatchObject({ code: 'AUTH.GUEST_NOT_ALLOWED' })
      }
    })

    it('documents its routes in /openapi.json', async () => {
      const doc = await call('GET', '/openapi.json')
      expect(doc.status).toBe(200)
      // Other parts of the service add theirs (issue 19: the staff's, the customers').
      expect(Object.keys(doc.body.paths).sort()).toEqual(
        expect.arrayContaining([
          '/.well-known/jwks.json',
          '/auth/guest',
          '/auth/login',
          '/auth/logout',
          '/auth/password-reset',
          '/auth/password-reset/confirm',
          '/auth/refresh',
          '/auth/register',
          '/auth/verify-email',
          '/auth/verify-email/resend',
          '/users/me',
          '/users/me/addresses',
          '/users/me/addresses/{id}',
          '/users/me/password',
          '/staff',
          '/staff/invitations',
          '/staff/invitations/accept',
          '/staff/{userId}/roles',
        ]),
      )
    })

    it('never returns nor logs a password or a password hash (nor a token)', async () => {
      const hashes = await testDb.database.db
        .selectFrom('users')
        .select('password_hash')
        .where('email', 'not like', 'direct.%') // written by the store test, not through HTTP
        .execute()
      expect(hashes.length).toBeGreaterThan(5)
      expect(hashes.every((h) => String(h.password_hash).startsWith('$argon2id$'))).toBe(true)
      const everything = bodies.join('\n')
      const logs = logLines.join('\n')
      expect(logLines.length).toBeGreaterThan(20)
      for (const secret of [...passwords, ...hashes.map((h) => String(h.password_hash))]) {
        expect(everything.includes(secret)).toBe(false)
        expect(logs.includes(secret)).toBe(false)
      }
      expect(tokens.size).toBeGreaterThan(10)
      for (const token of tokens) expect(logs.includes(token)).toBe(false)
      expect(everything).not.toMatch(/argon2|password_?hash/i)
      expect(logs).not.toMatch(/argon2/i)
      // Bearer headers are redacted by the platform's logger.
      expect(logs).not.toMatch(/Bearer ey/)
    })
  })
}
