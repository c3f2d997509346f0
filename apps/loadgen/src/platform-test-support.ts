import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serviceDeclarations } from '@emporium/contracts'
import { createEmporiumClient } from '@emporium/sdk'
import { reservePorts } from '@emporium/platform/testing'

// Test helpers: the embedded platform as `npm start` runs it, and the CLI as `npm run loadgen`.

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

export interface Embedded {
  baseUrl: string
  admin: { email: string; password: string }
  stop(): Promise<void>
}

/**
 * Starts the all-in-one on spare ports with its own data folder, an admin e-mail and the
 * gateway's per-client limits raised (the whole crowd comes from one address).
 */
export async function startEmbedded(timeoutMs = 150_000): Promise<Embedded> {
  // The gateway, the services and the gateway's management server on consecutive ports,
  // claimed against every other test on the machine.
  const ports = await reservePorts(serviceDeclarations.length + 2)
  const port = ports.base
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-loadgen-'))
  const admin = { email: 'admin@loadgen.test', password: 'admin-password-123' }
  let output = ''
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/all-in-one/src/main.ts'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        EMBEDDED_PORT_BASE: String(port + 1),
        DATA_DIR: dataDir,
        ADMIN_EMAILS: admin.email,
        LOG_LEVEL: 'warn',
        GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
        GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
        GATEWAY_LOGIN_LIMIT_PER_CLIENT: '100000',
        // These tests check what the load generator counts, not shedding (the burst tests do):
        // on a busy machine a placement past the default 1 s deadline is answered 503 and
        // repeated, and every first attempt could end up shed.
        GATEWAY_PLACEMENT_DEADLINE_MS: '10000',
        // The shoppers share the few declining test cards: no card-testing limits here.
        PAYMENTS_MAX_DECLINES_PER_USER: '1000000',
        PAYMENTS_MAX_DECLINES_PER_CARD: '1000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dataDir, { recursive: true, force: true })
    ports.release()
  }
  const baseUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`the platform exited early:\n${output}`)
    }
    try {
      // The gateway's management server (the port after the services') answers readiness.
      const management = port + 1 + serviceDeclarations.length
      if ((await fetch(`http://127.0.0.1:${management}/readyz`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the platform was not ready in ${timeoutMs} ms:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  // Registration never grants admin: the account is registered, then granted by the admin
  // command (`npm run admin -- grant`) through the running platform, as an operator would.
  // A busy machine's gateway may shed the first requests after its start: sent again after
  // the wait it asks for, as any client should.
  const { response: registered } = await createEmporiumClient({
    baseUrl,
    retryShed: { attempts: 10 },
  }).POST('/api/v1/auth/register', { body: { ...admin, name: 'Loadgen Admin' } })
  const granted = await new Promise<number | null>((resolve) => {
    const cli = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/users/src/admin-cli.ts', 'grant', admin.email],
      {
        cwd: repoRoot,
        env: { ...process.env, DATA_DIR: dataDir, EMBEDDED_PORT_BASE: String(port + 1) },
        stdio: 'ignore',
      },
    )
    cli.once('exit', resolve)
  })
  if (registered.status !== 201 || granted !== 0) {
    await stop()
    throw new Error(`admin setup: register ${registered.status}, grant exit ${granted}`)
  }
  return { baseUrl, admin, stop }
}

/** Runs `npm run loadgen -- <args>`'s entry point; resolves with its exit code and output. */
export function runCli(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/loadgen/src/main.ts', ...args],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}
