import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import {
  repoRoot,
  reserveEmbeddedPorts,
  type Started,
  startProcess,
  waitForOk,
  embeddedManagementPort,
} from './process.js'
import { fillDataDir } from './embedded-data.js'
import { fetchRetryingShed, verificationToken } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

// Issue 13 item 4 on the embedded platform, as `npm start` runs it: admin only for a verified
// ADMIN_EMAILS address, and revocation (logout, password change, admin revoked) refused by the
// gateway and by a service asked directly within seconds, not at the token's expiry (15 min).
describe('verification and revocation (embedded platform)', () => {
  const port = embeddedPorts
  const base = port + 1
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-revocation-'))
  const mailbox = join(dataDir, 'mailbox.jsonl')
  const api = `http://127.0.0.1:${port}/api/v1`
  const cartUrl = `http://127.0.0.1:${base + 2}` // the cart service's own port
  const password = 'correct horse battery staple'
  let started: Started

  beforeAll(async () => {
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(base),
      DATA_DIR: dataDir,
      ADMIN_EMAILS: 'boss@revocation.example,owner@revocation.example',
      NOTIFICATIONS_SENDER: `file:${mailbox}`,
      LOG_LEVEL: 'warn',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(base)}/readyz`, started, 150_000)
  }, 180_000)

  afterAll(() => {
    if (started.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function call(path: string, init: { body?: unknown; token?: string } = {}) {
    const response = await fetchRetryingShed(`${api}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    return { status: response.status, body: (await response.json().catch(() => null)) as any }
  }
  const login = (email: string, pw = password) =>
    call('/auth/login', { body: { email, password: pw } })
  const register = async (email: string) => {
    const reply = await call('/auth/register', { body: { email, password, name: 'Rev' } })
    expect(reply.status).toBe(201)
    return reply.body
  }
  /** The status the gateway and the cart (asked directly) give the token. */
  async function statuses(token: string) {
    const gateway = (await call('/cart', { token })).status
    const cart = (
      await fetchRetryingShed(`${cartUrl}/cart`, { headers: { authorization: `Bearer ${token}` } })
    ).status
    return [gateway, cart]
  }
  /** Polls (no fixed sleep) until both refuse the token; generous for a busy machine. */
  async function refusedEverywhere(token: string) {
    const deadline = Date.now() + 20_000
    let last: number[] = []
    while (Date.now() < deadline) {
      last = await statuses(token)
      if (last.every((s) => s === 401)) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`still accepted: gateway ${last[0]}, cart ${last[1]}`)
  }

  it('grants ADMIN_EMAILS only after the link is followed by the account signed in; revoking admin voids its tokens', async () => {
    const email = 'boss@revocation.example'
    const registered = await register(email)
    expect(registered.user).toMatchObject({ roles: ['customer'], emailVerified: false })
    // Registration alone opens no admin door.
    expect((await call('/orders/x/ship', { token: registered.accessToken, body: {} })).status).toBe(
      403,
    )
    const token = await verificationToken(mailbox, email)
    const forged = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`
    expect((await call('/auth/verify-email', { body: { token: forged } })).status).toBe(400)
    // Through the gateway: an invalid bearer is a 401, another account's bearer a 403.
    const bad = await fetchRetryingShed(`${api}/auth/verify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
      body: JSON.stringify({ token }),
    })
    expect(bad.status).toBe(401)
    const stranger = await register('stranger@revocation.example')
    const foreign = await call('/auth/verify-email', {
      body: { token },
      token: stranger.accessToken,
    })
    expect(foreign.status).toBe(403)
    expect(foreign.body.code).toBe('USERS.VERIFICATION_FOR_ANOTHER_ACCOUNT')
    const verified = await call('/auth/verify-email', {
      body: { token },
      token: registered.accessToken,
    })
    expect(verified.status).toBe(204)
    expect((await call('/auth/verify-email', { body: { token } })).body.code).toBe(
      'USERS.VERIFICATION_TOKEN_USED',
    )
    const admin = await login(email)
    expect(admin.body.user.roles).toEqual(['customer', 'admin'])
    expect(await statuses(admin.body.accessToken)).toEqual([200, 200])

    // `npm run admin -- revoke <email>`, as an operator types it, beside the running platform.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'services/users/src/admin-cli.ts', 'revoke', email],
      {
        cwd: repoRoot,
        env: { ...process.env, DATA_DIR: dataDir, EMBEDDED_PORT_BASE: String(base) },
      },
    )
    expect(stdout).toMatch(/is no longer admin/)
    await refusedEverywhere(admin.body.accessToken)
    // A refresh gives a token without admin.
    const refreshed = await call('/auth/refresh', {
      body: { refreshToken: admin.body.refreshToken },
    })
    expect(refreshed.status).toBe(200)
    const me = await call('/users/me', { token: refreshed.body.accessToken })
    expect(me.body.roles).toEqual(['customer'])
  })

  it('no pre-hijacking: a link followed without signing in verifies the address but grants no admin', async () => {
    // The attacker registers the owner's listed address; the owner opens the mailed link.
    const email = 'owner@revocation.example'
    const attacker = await register(email)
    const token = await verificationToken(mailbox, email)
    expect((await call('/auth/verify-email', { body: { token } })).status).toBe(204)
    const session = await login(email)
    expect(session.body.user).toMatchObject({ roles: ['customer'], emailVerified: true })
    const me = await call('/users/me', { token: session.body.accessToken })
    expect(me.body.roles).toEqual(['customer'])
    expect(
      (await call('/orders/x/ship', { token: session.body.accessToken, body: {} })).status,
    ).toBe(403)
    expect((await call('/orders/x/ship', { token: attacker.accessToken, body: {} })).status).toBe(
      403,
    )
  })

  it('logout voids the session’s access token at the gateway and the cart within seconds', async () => {
    const session = await register('leaving@revocation.example')
    expect(await statuses(session.accessToken)).toEqual([200, 200])
    const out = await call('/auth/logout', {
      token: session.accessToken,
      body: { refreshToken: session.refreshToken },
    })
    expect(out.status).toBe(204)
    await refusedEverywhere(session.accessToken)
  })

  it('a password change signs every other session out within seconds; this one goes on', async () => {
    const email = 'changing@revocation.example'
    const first = await register(email)
    const second = (await login(email)).body
    const changed = await call('/users/me/password', {
      token: first.accessToken,
      body: { currentPassword: password, newPassword: 'tangerine velvet orbit 42' },
    })
    expect(changed.status).toBe(204)
    await refusedEverywhere(second.accessToken)
    expect(await statuses(first.accessToken)).toEqual([200, 200])
    expect((await login(email)).status).toBe(401)
  })
})
