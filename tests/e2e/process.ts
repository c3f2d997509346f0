import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { serviceDeclarations } from '@emporium/contracts'
import { reservePorts } from '@emporium/platform/testing'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

export interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * The first of the consecutive ports an embedded platform (`npm start`) takes, reserved for
 * this test file: the gateway on it, the services from the next (`EMBEDDED_PORT_BASE`), the
 * gateway's management server after them (apps/all-in-one/src/config.ts).
 */
export async function reserveEmbeddedPorts(): Promise<number> {
  return (await reservePorts(serviceDeclarations.length + 2)).base
}

/**
 * The embedded gateway's management server (`/metrics`, the detailed `/readyz`): the port after
 * the services', `EMBEDDED_PORT_BASE` + the number of declared services.
 */
export function embeddedManagementPort(embeddedPortBase: number): number {
  return embeddedPortBase + serviceDeclarations.length
}

/** Runs a TypeScript entry point as its own process, as `npm start` would. */
export function startProcess(entry: string, env: Record<string, string>): Started {
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return { child, output: () => output, exited }
}

/** Polls a URL until it answers 200, or fails with the process's output. */
export async function waitForOk(url: string, started: Started, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null)
      throw new Error(`process exited early:\n${started.output()}`)
    try {
      const response = await fetch(url)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms:\n${started.output()}`)
}
