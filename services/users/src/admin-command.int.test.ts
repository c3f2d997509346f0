import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import {
  createInProcessBus,
  createMemoryRevocationList,
  createRedisRevocationList,
  openDatabase,
  startService,
  type RevocationList,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, testServers, waitFor } from '@emporium/platform/testing'
import { runAdminCommand } from './admin-command.js'
import { generatePrivateJwk } from './infra/signing-keys.js'
import { createUsersService, loadUsersConfig } from './service.js'

const log = pino({ level: 'silent' })
const testHashCost = { memoryCost: 1024, timeCost: 1 }

async function startUsers(
  env: Record<string, string>,
  revocations: RevocationList,
  port = 0,
): Promise<RunningService & { stop(): Promise<void> }> {
  const config = loadUsersConfig({
    USERS_SIGNING_KEYS: JSON.stringify([await generatePrivateJwk('k')]),
    ...env,
  })
  const bus = createInProcessBus({ log })
  const service = await createUsersService(config, {
    log,
    revocations,
    passwordHashCost: testHashCost,
  })
  const running = await startService(service, { port, log, bus })
  const stop = async () => {
    await running.stopHttp()
    await running.stopRelay()
    await bus.close()
    await running.close()
  }
  return Object.assign(running, { stop })
}

async function call(base: string, path: string, init: { body?: unknown; token?: string } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

function capture() {
  const lines: string[] = []
  return { lines, out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) }
}

/** Registers an account and returns its access token. */
async function register(base: string, email: string) {
  const reply = await call(base, '/auth/register', {
    body: { email, password: 'tangerine velvet orbit 42', name: 'Admin Candidate' },
  })
  expect(reply.status).toBe(201)
  return reply.body.accessToken as string
}

const login = (base: string, email: string) =>
  call(base, '/auth/login', { body: { email, password: 'tangerine velvet orbit 42' } })

describe('npm run admin, distributed: MariaDB and the Redis revocation list', () => {
  const cleanup: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step()
  })

  it('grants and revokes; the revoked admin token is refused within seconds; unknown e-mail is exit 1', async () => {
    const db = await createTestDatabase('mysql')
    cleanup.push(() => db.drop())
    const list = createRedisRevocationList({ url: testServers.redis })
    cleanup.push(() => list.close())
    const users = await startUsers(
      { USERS_DATABASE_URL: db.url, REVOCATIONS_URL: testServers.redis },
      list,
    )
    cleanup.push(() => users.stop())
    const email = 'Root@Admin-Cli.example'
    await register(users.url, email)
    const env = { USERS_DATABASE_URL: db.url, REVOCATIONS_URL: testServers.redis }

    const granted = capture()
    expect(await runAdminCommand(['grant', email], env, granted)).toBe(0)
    expect(granted.lines.join('\n')).toMatch(/root@admin-cli\.example is admin now/)
    const admin = await login(users.url, email)
    expect(admin.body.user.roles).toEqual(['customer', 'admin'])
    const again = capture()
    expect(await runAdminCommand(['grant', email], env, again)).toBe(0)
    expect(again.lines.join('\n')).toMatch(/admin already/)

    expect((await call(users.url, '/users/me', { token: admin.body.accessToken })).status).toBe(200)
    expect(await runAdminCommand(['revoke', email], env, capture())).toBe(0)
    // The service hears of it through Redis (the command is another list, as another process).
    await waitFor(
      'the revoked token to be refused',
      async () =>
        (await call(users.url, '/users/me', { token: admin.body.accessToken })).status === 401,
      15_000,
    )
    expect((await login(users.url, email)).body.user.roles).toEqual(['customer'])

    const unknown = capture()
    expect(await runAdminCommand(['grant', 'nobody@admin-cli.example'], env, unknown)).toBe(1)
    expect(unknown.lines.join('\n')).toMatch(/no account has the e-mail address/)
    // Without the platform's Redis a revoke reaches no running service: the command says so.
    const unshared = capture()
    const memory = { USERS_DATABASE_URL: db.url }
    expect(await runAdminCommand(['revoke', email], memory, unshared)).toBe(0)
    expect(unshared.lines.join('\n')).toMatch(/REVOCATIONS_URL is not set/)
    expect(await runAdminCommand(['promote', email], env, capture())).toBe(2)
    expect(await runAdminCommand(['grant'], env, capture())).toBe(2)
  })
})

describe('npm run admin, embedded: through the running users service, or the database itself', () => {
  it('asks the running service (admin-cli credential); writes PGlite itself when none runs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'admin-cli-'))
    try {
      const list = createMemoryRevocationList()
      const env = {
        USERS_DATABASE_URL: `pglite:${dataDir}/pglite?schema=users`,
        USERS_ADMIN_CLI_KEY_FILE: `${dataDir}/users/admin-cli-keys.json`,
      }
      const users = await startUsers(env, list)
      const email = 'boss@embedded.example'
      const token = await register(users.url, email)
      const cli = { DATA_DIR: dataDir, USERS_ADMIN_URL: users.url }

      // The route takes only the admin command's credential.
      const bare = await call(users.url, '/internal/admins', {
        body: { action: 'grant', email },
        token,
      })
      expect(bare.status).toBe(401)

      expect(await runAdminCommand(['grant', email], cli, capture())).toBe(0)
      const admin = await login(users.url, email)
      expect(admin.body.user.roles).toEqual(['customer', 'admin'])
      expect(await runAdminCommand(['revoke', email], cli, capture())).toBe(0)
      // Same process, same list: refused at once.
      expect((await call(users.url, '/users/me', { token: admin.body.accessToken })).status).toBe(
        401,
      )
      expect(await runAdminCommand(['grant', 'nobody@embedded.example'], cli, capture())).toBe(1)
      const url = users.url
      await users.stop()

      // Nothing answers now: the command opens the database.
      const offline = capture()
      expect(
        await runAdminCommand(['grant', email], { ...cli, USERS_ADMIN_URL: url }, offline),
      ).toBe(0)
      expect(offline.lines.join('\n')).toMatch(/is admin now/)
      const database = await openDatabase(env.USERS_DATABASE_URL)
      try {
        const row = await database.db
          .selectFrom('users' as never)
          .select(['is_admin' as never])
          .executeTakeFirst()
        expect(Boolean((row as { is_admin: unknown }).is_admin)).toBe(true)
      } finally {
        await database.close()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('finds the running platform where it says it answers, and never opens its database beside it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'admin-cli-'))
    try {
      const port = await freePort()
      const users = await startUsers(
        {
          USERS_DATABASE_URL: `pglite:${dataDir}/pglite?schema=users`,
          USERS_ADMIN_CLI_KEY_FILE: `${dataDir}/users/admin-cli-keys.json`,
          USERS_HOST: '127.0.0.1',
          USERS_PORT: String(port),
        },
        createMemoryRevocationList(),
        port,
      )
      try {
        const email = 'owner@moved-ports.example'
        await register(users.url, email)
        // Started on other ports than the command's environment says: it still finds the service.
        const cli = { DATA_DIR: dataDir, EMBEDDED_PORT_BASE: String(await freePort()) }
        const granted = capture()
        expect(await runAdminCommand(['grant', email], cli, granted)).toBe(0)
        expect(granted.lines.join('\n')).toMatch(/is admin now/)
        // Told a wrong address while the platform runs: an error, not a second PGlite on its files.
        const wrong = capture()
        const misdirected = { ...cli, USERS_ADMIN_URL: `http://127.0.0.1:${await freePort()}` }
        expect(await runAdminCommand(['revoke', email], misdirected, wrong)).toBe(3)
        expect(wrong.lines.join('\n')).toMatch(/holds the database but did not answer/)
        expect((await login(users.url, email)).body.user.roles).toEqual(['customer', 'admin'])
      } finally {
        await users.stop()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}
