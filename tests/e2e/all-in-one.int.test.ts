import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  reserveEmbeddedPorts,
  type Started,
  startProcess,
  waitForOk,
  embeddedManagementPort,
} from './process.js'
import { ShopClient } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

// The embedded default as `npm start` runs it: one process, the gateway on PORT.
describe('embedded platform (npm start)', () => {
  const port = embeddedPorts
  const base = `http://127.0.0.1:${port}`
  // The gateway's management server: the port after the services'.
  const management = `http://127.0.0.1:${embeddedManagementPort(port + 1)}`
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-e2e-'))
  let started: Started

  beforeAll(async () => {
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_PORT_BASE: String(port + 1),
      LOG_LEVEL: 'info',
      // A stream of an order not known yet waits for it (then 404s): how the stream cap test
      // holds slots for a while.
      NOTIFICATIONS_STREAM_ORDER_WAIT_MS: '8000',
      NOTIFICATIONS_MAX_STREAMS_PER_USER: '2',
    })
    // Seven services, each creating its PGlite database on first start: slow on a busy machine.
    await waitForOk(`${management}/readyz`, started, 150_000)
  }, 180_000)

  afterAll(async () => {
    if (started.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('serves liveness publicly, metrics and readiness on the management port only', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    expect((await fetch(`${base}/readyz`)).status).toBe(404)
    expect((await fetch(`${base}/metrics`)).status).toBe(404)
    const ready = await fetch(`${management}/readyz`)
    expect(ready.status).toBe(200)
    const metrics = await (await fetch(`${management}/metrics`)).text()
    expect(metrics).toContain('process_cpu_user_seconds_total')
  })

  it('answers an unknown API route with a 404 problem and a request id', async () => {
    const response = await fetch(`${base}/api/v1/nothing-here`, {
      headers: { 'x-request-id': 'e2e-abc-1' },
    })
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(response.headers.get('x-request-id')).toBe('e2e-abc-1')
    const problem = (await response.json()) as Record<string, unknown>
    expect(problem).toMatchObject({ status: 404 })
    expect(typeof problem.title).toBe('string')
    expect(typeof problem.detail).toBe('string')
  })

  it('logs JSON lines carrying the service name', () => {
    const lines = started
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
    expect(lines.length).toBeGreaterThan(0)
    expect(
      lines.map((l) => JSON.parse(l) as { service?: string }).some((l) => l.service === 'gateway'),
    ).toBe(true)
  })

  it('caps a shopper’s open order-status streams through the gateway, and frees ended ones', async () => {
    const { token } = await new ShopClient(`${base}/api/v1`).register()
    // A stream of an order not known yet is held open while its order is waited for (8 s here),
    // then answered 404. No client here goes away early: every stream ends on its own.
    const open = async () => {
      const answer = await fetch(`${base}/api/v1/orders/${randomUUID()}/events`, {
        headers: { authorization: `Bearer ${token}` },
      })
      const body = await answer.text()
      return { status: answer.status, headers: answer.headers, body }
    }
    const held = [open(), open()]
    let refused: Awaited<ReturnType<typeof open>> | undefined
    for (const deadline = Date.now() + 60_000; !refused && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      const answer = await open()
      if (answer.status === 429) refused = answer
    }
    expect(refused?.headers.get('retry-after')).toBe('5')
    expect(refused?.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(JSON.parse(refused?.body ?? '{}')).toMatchObject({
      status: 429,
      code: 'NOTIFICATIONS.TOO_MANY_STREAMS',
    })
    // Once the held streams end (their orders never came: 404), their slots are free again.
    expect((await Promise.all(held)).map((answer) => answer.status)).toEqual([404, 404])
    let freed = false
    for (const deadline = Date.now() + 60_000; !freed && Date.now() < deadline;) {
      const answer = await open()
      if (answer.status === 404) freed = true
      else {
        expect(answer.status).toBe(429)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
    expect(freed).toBe(true)
  }, 120_000)

  it('drains and exits 0 on SIGTERM', async () => {
    started.child.kill('SIGTERM')
    const { code } = await started.exited
    expect(code).toBe(0)
    expect(started.output()).toContain('stopped')
  })
})

describe('a service process with bad configuration', () => {
  it('exits non-zero and names the variable', async () => {
    const started = startProcess('services/gateway/src/main.ts', { PORT: 'not-a-port' })
    const { code } = await started.exited
    expect(code).not.toBe(0)
    expect(started.output()).toMatch(/PORT must be an integer/)
  })

  it('names a variable that is out of range (all-in-one)', async () => {
    const started = startProcess('apps/all-in-one/src/main.ts', { EMBEDDED_PORT_BASE: '99999' })
    const { code } = await started.exited
    expect(code).not.toBe(0)
    expect(started.output()).toMatch(/EMBEDDED_PORT_BASE/)
  })
})
