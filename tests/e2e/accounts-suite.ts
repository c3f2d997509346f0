import { expect, it } from 'vitest'
import { fetchRetryingShed } from './shop-client.js'
import type { SmtpMailbox } from './smtp-mailbox.js'

/** What the accounts suite needs of a running platform: its gateway and the SMTP server it mails. */
export interface AccountsPlatform {
  /** The gateway's `/api/v1` base URL. */
  api: string
  /** The real SMTP server the notifications service sends to (`smtp://` sender). */
  smtp: Pick<SmtpMailbox, 'mailTo' | 'received'>
  /** The users service's USERS_PUBLIC_URL: the mailed links start with it. */
  publicUrl: string
}

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
}

// Generous: a loaded machine, and mails that cross the outbox and (distributed) the broker.
const testTimeoutMs = 180_000
const mailTimeoutMs = 120_000

/**
 * Issue 18, accounts, through the gateway: the address book (the caller's own only, at most 20)
 * and password reset by a link mailed to a real SMTP server. Called inside a `describe` whose
 * `beforeAll` started the platform; `platform` is read when the tests run.
 */
export function accountsSuite(platform: () => AccountsPlatform) {
  const password = 'correct horse battery staple'

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; token?: string } = {},
  ): Promise<{ status: number; type: string; body: any }> {
    const response = await fetchRetryingShed(`${platform().api}${path}`, {
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
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

  it(
    "keeps each shopper's own address book: CRUD, another's address a 404, at most 20",
    async () => {
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
    },
    testTimeoutMs,
  )

  it(
    'resets a password through the link of a real e-mail, once; the old password and sessions end',
    async () => {
      const { smtp, publicUrl } = platform()
      const email = 'forgetful@accounts.example'
      const registered = await register(email)
      // The verification e-mail of the registration arrives at the real server too.
      expect(
        (await smtp.mailTo(email, 'Confirm your e-mail address for Emporium', mailTimeoutMs)).text,
      ).toContain(`${publicUrl}/verify-email#token=`)

      // An address without an account gets the very same answer.
      const unknown = await call('POST', '/auth/password-reset', {
        body: { email: 'nobody@accounts.example' },
      })
      const known = await call('POST', '/auth/password-reset', {
        body: { email: email.toUpperCase() },
      })
      expect(unknown).toEqual({ status: 202, type: known.type, body: {} })
      expect(known).toMatchObject({ status: 202, body: {} })

      const mail = await smtp.mailTo(email, 'Reset your Emporium password', mailTimeoutMs)
      expect(mail.text).toMatch(/until \d{4}-\d\d-\d\dT/)
      const token = new RegExp(`${escape(publicUrl)}/reset-password#token=([A-Za-z0-9_-]+)`).exec(
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
        status = (await call('GET', '/users/me/addresses', { token: registered.accessToken }))
          .status
        if (status === 401) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(status).toBe(401)
    },
    testTimeoutMs,
  )
}
