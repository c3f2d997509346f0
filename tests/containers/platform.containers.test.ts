import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cards, ShopClient } from '../e2e/shop-client.js'
import { buildImages, podman, podmanStatus } from './podman.js'
import {
  ADMIN_EMAIL,
  SERVICES,
  SHUTDOWN_TIMEOUT_SECONDS,
  startContainerPlatform,
  type ContainerPlatform,
} from './platform.js'

// Issue 7's proof that the images really build and the containers really run here: every
// service's image is built with podman from deploy/Dockerfile (on a local Node base), the seven
// containers run on the host network against the machine's real MariaDB, PostgreSQL, Redis and
// RabbitMQ, a checkout goes through the gateway, and each container is checked to run as a
// non-root user on a read-only root filesystem and to stop cleanly on SIGTERM.
// `npm run test:containers` (vitest.containers.config.ts); deploy/README.md explains it.

const STOP_GRACE_SECONDS = 30
const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
/** The production Node's major (24), which the images run whatever Node runs this test. */
const nodeMajor = readFileSync(new URL('../../.nvmrc', import.meta.url), 'utf8').trim()

describe('the platform as containers (podman, host network, real datastores)', () => {
  let tag: string
  let platform: ContainerPlatform | undefined

  beforeAll(async () => {
    tag = await buildImages()
    platform = await startContainerPlatform(tag)
  }, 540_000)

  let failed = false
  afterEach(({ task }) => {
    if (task.result?.state === 'fail') failed = true
  })

  afterAll(async () => {
    if (failed && platform) {
      // What the services said, to explain the failure (the containers are removed next).
      for (const container of Object.values(platform.containers)) {
        const logs = await container.logs().catch((e: unknown) => String(e))
        console.error(`---- ${container.service} (last lines) ----\n${logs.slice(-3_000)}`)
      }
    }
    await platform?.remove()
  })

  const running = () => {
    if (!platform) throw new Error('the platform did not start')
    return platform
  }
  let admin: Promise<{ token: string }> | undefined
  /**
   * The admin account, registered once and granted by the admin command against the users
   * database, as an operator of a distributed platform does (registration never grants admin).
   */
  const adminToken = async () => {
    admin ??= (async () => {
      const client = new ShopClient(running().api)
      await client.register(ADMIN_EMAIL)
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'services/users/src/admin-cli.ts', 'grant', ADMIN_EMAIL],
        {
          cwd: repoRoot,
          env: {
            ...process.env,
            USERS_DATABASE_URL: running().usersDatabaseUrl,
            REVOCATIONS_URL: 'memory',
          },
          stdio: 'pipe',
          timeout: 60_000,
        },
      )
      const login = await client.login(ADMIN_EMAIL)
      if (!login.roles.includes('admin')) throw new Error('the admin command did not grant admin')
      return login
    })()
    return (await admin).token
  }

  it('built every image from the one Dockerfile, non-root with a health check', async () => {
    for (const service of SERVICES) {
      const [config] = JSON.parse(
        await podman(['image', 'inspect', `localhost/emporium/${service}:${tag}`]),
      ) as Array<{
        Config: { User: string; Cmd: string[]; Labels: Record<string, string> }
        Healthcheck?: { Test: string[] }
      }>
      expect(config!.Config.User).toBe('10001:10001')
      expect(config!.Config.Cmd).toEqual(['node', '/app/main.mjs'])
      expect(config!.Config.Labels['org.opencontainers.image.title']).toBe(`emporium-${service}`)
      expect(config!.Healthcheck?.Test).toEqual(['CMD', 'node', '/app/healthcheck.mjs'])
    }
  })

  it(`built every image on Node ${nodeMajor} LTS, the production Node`, async () => {
    for (const service of SERVICES) {
      const version = await podman([
        'run',
        '--rm',
        '--network=none',
        `localhost/emporium/${service}:${tag}`,
        'node',
        '--version',
      ])
      expect(version.trim(), service).toMatch(new RegExp(`^v${nodeMajor}\\.\\d+\\.\\d+$`))
    }
  })

  it('runs a checkout through the gateway: confirmed and captured', async () => {
    const { api, gateway } = running()
    const client = new ShopClient(api)
    const product = await client.createProduct(await adminToken(), 1999, 5)
    const shopper = await client.register()
    await client.addToCart(shopper.token, product.id, 2)
    const placed = await client.placeOrder(shopper.token, cards.approved)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const order = await client.waitForOrder(shopper.token, placed.body.id)
    expect(order.status).toBe('confirmed')
    expect(order.total).toEqual({ amount: 3998, currency: 'USD' })
    expect(order.payment).toEqual({ status: 'captured', last4: '4242' })
    await expect
      .poll(async () => client.stock(await adminToken(), product.id), { timeout: 20_000 })
      .toMatchObject({ onHand: 3, reserved: 0 })
    // The gateway's image carries the storefront it serves at `/`.
    const home = await fetch(`${gateway}/`, { headers: { accept: 'text/html' } })
    expect(home.status).toBe(200)
    expect(home.headers.get('content-type')).toContain('text/html')
  })

  it('runs every container as uid 10001 on a read-only root, healthy by its HEALTHCHECK', async () => {
    // What a write gives inside the container: `ok` or the error's code.
    const probe = [
      "const fs = require('node:fs')",
      "const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'ok' } catch (e) { return e.code } }",
      "console.log(JSON.stringify(['/app/probe', '/etc/probe', '/tmp/probe'].map(tryWrite)))",
    ].join('\n')
    await Promise.all(
      SERVICES.map(async (service) => {
        const container = running().containers[service]
        // The kernel's view of PID 1 (no user namespace: these are the host's ids too).
        const ids = await container.processIds()
        expect(ids.uid, service).toEqual([10001, 10001, 10001, 10001])
        expect(ids.gid, service).toEqual([10001, 10001, 10001, 10001])
        expect(await container.inspect('{{.HostConfig.ReadonlyRootfs}}')).toBe('true')
        const writes = await container.exec('node', '-e', probe)
        expect(writes.code, `${service}: ${writes.stderr}`).toBe(0)
        // The image's files and /etc are on the read-only root; /tmp is the writable tmpfs.
        expect(JSON.parse(writes.stdout), service).toEqual(['EROFS', 'EROFS', 'ok'])
      }),
    )
    // The image's HEALTHCHECK, run by podman in the container (exit 0: healthy), one container
    // at a time as a runtime's staggered intervals run them: ten Node starts at one instant on a
    // busy 2-core CI machine took longer than the check's timeout (a failed CI run).
    for (const service of SERVICES) {
      const container = running().containers[service]
      const health = await podmanStatus(['healthcheck', 'run', container.name])
      expect(health.code, `${service}: ${health.stdout}${health.stderr}`).toBe(0)
      expect(await container.inspect('{{.State.Health.Status}}'), service).toBe('healthy')
    }
  })

  it('stops every container cleanly on SIGTERM, mid-checkout with a client on the status stream', async () => {
    const { containers, api } = running()
    // Work in flight while the platform stops: an order whose payment takes 5 s (the slow card),
    // and its status stream held open through the gateway, as a shopper's browser holds it.
    const client = new ShopClient(api)
    const categories = await client.call('/categories')
    expect(categories.status, JSON.stringify(categories.body)).toBe(200)
    const product = await client.createProduct(await adminToken(), 500, 5)
    const shopper = await client.register()
    await client.addToCart(shopper.token, product.id, 1)
    const placed = await client.placeOrder(shopper.token, cards.slow)
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    const stream = await fetch(`${api}/orders/${placed.body.id}/events`, {
      headers: { authorization: `Bearer ${shopper.token}`, accept: 'text/event-stream' },
    })
    expect(stream.status).toBe(200)
    const reader = stream.body!.getReader()
    await reader.read() // open: its first event arrived
    const streamClosed = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended'
    })().catch(() => 'cut')
    // The gateway first (no new requests reach the others), then the rest at once.
    const order = [['gateway'], SERVICES.filter((s) => s !== 'gateway')] as const
    for (const group of order) {
      await Promise.all(
        group.map(async (service) => {
          const container = containers[service]
          const stopped = await container.stop(STOP_GRACE_SECONDS)
          const logs = await container.logs()
          const explain = `${service} (${stopped.tookMs} ms, exit ${stopped.exitCode}):\n${logs.slice(-4_000)}`
          expect(stopped.exitCode, explain).toBe(0)
          expect(stopped.tookMs, explain).toBeLessThan(SHUTDOWN_TIMEOUT_SECONDS * 1000)
          // The platform's drain, as it logs it (packages/platform/src/runtime.ts).
          const messages = logs
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as { msg?: string; signal?: string })
          expect(messages.some((m) => m.msg === 'signal received' && m.signal === 'SIGTERM')).toBe(
            true,
          )
          expect(
            messages.map((m) => m.msg),
            explain,
          ).toContain('stopped')
          expect(logs, explain).not.toContain('shutdown took too long')
        }),
      )
      // The gateway does not wait for streams it proxies: it cuts them so clients reconnect.
      if (group[0] === 'gateway') {
        const after = new Promise((r) => setTimeout(() => r('still open'), 5_000))
        expect(await Promise.race([streamClosed, after])).toMatch(/^(ended|cut)$/)
      }
    }
  })
})
