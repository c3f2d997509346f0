import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reservePort } from '@emporium/platform/testing'
import {
  reserveEmbeddedPorts,
  type Started,
  startProcess,
  waitForOk,
  embeddedManagementPort,
} from './process.js'
import { fetchRetryingShed } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()
const smtpPort = await reservePort()

/** A message as the test's SMTP server received it. */
interface Mail {
  to: string[]
  subject: string
  text: string
}

/**
 * A real SMTP server on 127.0.0.1 (no TLS, no authentication), keeping each message's recipients,
 * subject and decoded text: the platform's notifications service sends to it through nodemailer
 * exactly as it would to a mail relay.
 */
async function startSmtp(port: number) {
  const received: Mail[] = []
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          ...parseMessage(Buffer.concat(chunks).toString('utf8')),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return { received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Subject and text of a single-part plain-text message (7bit or quoted-printable). */
function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const body = raw.slice(split + 4)
  const header = (name: string) =>
    new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? ''
  const text = /quoted-printable/i.test(header('Content-Transfer-Encoding'))
    ? Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8')
    : body
  return { subject: header('Subject'), text: text.replace(/\r\n/g, '\n') }
}

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
}

// Issue 18, accounts, on the embedded platform as `npm start` runs it, through the gateway: the
// address book (the caller's own only, at most 20) and password reset by a link mailed to a
// real SMTP server started here.
describe('address book and password reset (embedded platform, real SMTP)', () => {
  const port = embeddedPorts
  const base = port + 1
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-accounts-'))
  const api = `http://127.0.0.1:${port}/api/v1`
  const password = 'correct horse battery staple'
  let started: Started
  let smtp: Awaited<ReturnType<typeof startSmtp>>

  beforeAll(async () => {
    smtp = await startSmtp(smtpPort)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(base),
      DATA_DIR: dataDir,
      NOTIFICATIONS_SENDER: `smtp://127.0.0.1:${smtpPort}`,
      USERS_PUBLIC_URL: 'https://shop.example',
      LOG_LEVEL: 'warn',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
    })
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(base)}/readyz`, started, 150_000)
  }, 180_000)

  afterAll(async () => {
    if (started?.child.exitCode === null) started.child.kill('SIGKILL')
    await smtp?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; token?: string } = {},
  ): Promise<{ status: number; type: string; body: any }> {
    const response = await fetchRetryingShed(`${api}${path}`, {
      method,
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    const text = await response.text()
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: text ? JSON.parse(text) : null,
    }
  }
  const register = async (email: string) => {
    const reply = await call('POST', '/auth/register', {
      body: { email, password, name: 'Ada' },
    })
    expect(reply.status).toBe(201)
    return reply.body as { accessToken: string; refreshToken: string; user: { id: string } }
  }
  /** The newest message to `to` with `subject`, waited for (no fixed sleep). */
  async function mailTo(to: string, subject: string, timeoutMs = 60_000): Promise<Mail> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const mail = smtp.received.filter((m) => m.to.includes(to) && m.subject === subject).at(-1)
      if (mail) return mail
      if (Date.now() > deadline) {
        throw new Error(`no "${subject}" to ${to}: ${JSON.stringify(smtp.received)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  it("keeps each shopper's own address book: CRUD, another's address a 404, at most 20", async () => {
    const ada = await register('ada@accounts.example')
    const bob = await register('bob@accounts.example')
    const saved = await call('POST', '/users/me/addresses', {
      token: ada.accessToken,
      body: { ...address, label: 'Home', region: 'Greater London' },
    })
    expect(saved.status).toBe(201)
    expect(saved.body).toMatchObject({ ...address, label: 'Home', isDefault: true })
    const id: string = saved.body.id
    const work = await call('POST', '/users/me/addresses', {
      token: ada.accessToken,
      body: { ...address, line1: '1 Work Road', label: 'Work', isDefault: true },
    })
    expect(work.body.isDefault).toBe(true)
    const patched = await call('PATCH', `/users/me/addresses/${id}`, {
      token: ada.accessToken,
      body: { region: null, city: 'Bath' },
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ city: 'Bath', isDefault: false })
    expect(patched.body).not.toHaveProperty('region')
    const list = await call('GET', '/users/me/addresses', { token: ada.accessToken })
    expect(list.body.items.map((a: { label: string }) => a.label)).toEqual(['Work', 'Home'])

    // Bob cannot read, change or delete Ada's address: a 404, as for an address that is not.
    expect((await call('GET', '/users/me/addresses', { token: bob.accessToken })).body).toEqual({
      items: [],
    })
    for (const [method, body] of [
      ['PATCH', { city: 'Nowhere', isDefault: true }],
      ['DELETE', undefined],
    ] as const) {
      const reply = await call(method, `/users/me/addresses/${id}`, {
        token: bob.accessToken,
        body,
      })
      expect(reply.status).toBe(404)
      expect(reply.type).toMatch(/^application\/problem\+json/)
      expect(reply.body.code).toBe('USERS.ADDRESS_NOT_FOUND')
      expect(JSON.stringify(reply.body)).not.toContain('Bath')
    }
    expect((await call('GET', '/users/me/addresses')).status).toBe(401)
    const unknownProperty = await call('POST', '/users/me/addresses', {
      token: ada.accessToken,
      body: { ...address, userId: bob.user.id },
    })
    expect(unknownProperty.status).toBe(400)
    expect(unknownProperty.type).toMatch(/^application\/problem\+json/)
    const after = await call('GET', '/users/me/addresses', { token: ada.accessToken })
    expect(after.body.items.find((a: { id: string }) => a.id === id)).toMatchObject({
      city: 'Bath',
    })

    // Twenty at most: 2 saved, 18 more, then a 409.
    for (let i = 0; i < 18; i += 1) {
      const reply = await call('POST', '/users/me/addresses', {
        token: ada.accessToken,
        body: { ...address, line1: `${i} Filler Lane` },
      })
      expect(reply.status).toBe(201)
    }
    const full = await call('POST', '/users/me/addresses', {
      token: ada.accessToken,
      body: address,
    })
    expect(full.status).toBe(409)
    expect(full.body.code).toBe('USERS.ADDRESS_BOOK_FULL')
    expect(
      (await call('DELETE', `/users/me/addresses/${work.body.id}`, { token: ada.accessToken }))
        .status,
    ).toBe(204)
    const last = await call('GET', '/users/me/addresses', { token: ada.accessToken })
    expect(last.body.items).toHaveLength(19)
    // The default went to the most recently updated remaining address.
    expect(last.body.items[0]).toMatchObject({ isDefault: true, line1: '17 Filler Lane' })
  })

  it('resets a password through the link of a real e-mail, once; the old password and sessions end', async () => {
    const email = 'forgetful@accounts.example'
    const registered = await register(email)
    // The verification e-mail of the registration arrives at the real server too.
    expect((await mailTo(email, 'Confirm your e-mail address for Emporium')).text).toContain(
      'https://shop.example/verify-email#token=',
    )

    // An address without an account gets the very same answer.
    const unknown = await call('POST', '/auth/password-reset', {
      body: { email: 'nobody@accounts.example' },
    })
    const known = await call('POST', '/auth/password-reset', {
      body: { email: email.toUpperCase() },
    })
    expect(unknown).toEqual({ status: 202, type: known.type, body: {} })
    expect(known).toMatchObject({ status: 202, body: {} })

    const mail = await mailTo(email, 'Reset your Emporium password')
    expect(mail.text).toMatch(/until \d{4}-\d\d-\d\dT/)
    const token = /https:\/\/shop\.example\/reset-password#token=([A-Za-z0-9_-]+)/.exec(
      mail.text,
    )?.[1]
    expect(token).toBeDefined()
    expect(smtp.received.filter((m) => m.to.includes('nobody@accounts.example'))).toEqual([])

    const weak = await call('POST', '/auth/password-reset/confirm', {
      body: { token, password: 'password' },
    })
    expect(weak.status).toBe(400)
    const newPassword = 'tangerine velvet orbit 42'
    const reset = await call('POST', '/auth/password-reset/confirm', {
      body: { token, password: newPassword },
    })
    expect(reset.status).toBe(204)

    const again = await call('POST', '/auth/password-reset/confirm', {
      body: { token, password: 'another fine passphrase 7' },
    })
    expect(again.status).toBe(400)
    expect(again.type).toMatch(/^application\/problem\+json/)
    expect(again.body.code).toBe('USERS.RESET_TOKEN_INVALID')
    const oldLogin = await call('POST', '/auth/login', { body: { email, password } })
    expect(oldLogin.status).toBe(401)
    const oldRefresh = await call('POST', '/auth/refresh', {
      body: { refreshToken: registered.refreshToken },
    })
    expect(oldRefresh.status).toBe(401)
    const login = await call('POST', '/auth/login', { body: { email, password: newPassword } })
    expect(login.status).toBe(200)
    // Following the mailed link proved the address.
    expect(login.body.user.emailVerified).toBe(true)
    // The old access token is refused within seconds (the revocation list), not at its expiry.
    const deadline = Date.now() + 20_000
    let status = 0
    while (Date.now() < deadline) {
      status = (await call('GET', '/users/me/addresses', { token: registered.accessToken })).status
      if (status === 401) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(status).toBe(401)
  })
})
