// The public OpenAPI document exactly as the gateway serves it: the embedded platform (PGlite,
// the in-process bus, no machine database or broker) is started on spare ports in a temporary
// data folder, each service's own document is awaited, then the gateway's merged one is fetched
// and the platform stopped. Used by `npm run openapi` (scripts/openapi.ts) and by the test that
// fails when docs/openapi.json is stale.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serviceDeclarations } from '@emporium/contracts'
import { reservePorts } from '@emporium/platform/testing'
import { format, resolveConfig } from 'prettier'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Where the document is committed. */
export const documentPath = join(root, 'docs', 'openapi.json')

// The gateway, the services on consecutive ports from the base, and the gateway's management
// server on the base + the number of services (apps/all-in-one/src/config.ts).
const portsNeeded = serviceDeclarations.length + 2

async function spareConsecutivePorts(count: number): Promise<number> {
  return (await reservePorts(count)).base
}

async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
    return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

async function poll<T>(
  what: string,
  deadline: number,
  probe: () => Promise<T | undefined>,
  describe: () => string,
) {
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; it said:\n${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Builds the merged public document by running the embedded platform; takes ~20 seconds. */
export async function buildPublicDocument(timeoutMs = 120_000): Promise<Record<string, unknown>> {
  const base = await spareConsecutivePorts(portsNeeded)
  const dataDir = await mkdtemp(join(tmpdir(), 'emporium-openapi-'))
  const output: string[] = []
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/all-in-one/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(base),
      EMBEDDED_PORT_BASE: String(base + 1),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  try {
    const deadline = Date.now() + timeoutMs
    const tail = () => output.join('').slice(-4_000)
    // Each service first: the gateway caches a missing service document for a while.
    const services = serviceDeclarations.length
    for (let port = base + 1; port <= base + services; port++) {
      await poll(
        `the service on port ${port}`,
        deadline,
        async () => {
          if (child.exitCode !== null) throw new Error(`the platform exited:\n${tail()}`)
          return getJson(`http://127.0.0.1:${port}/openapi.json`)
        },
        tail,
      )
    }
    const published = serviceDeclarations.filter((s) => s.routes.length > 0).length
    return await poll(
      'the merged document',
      deadline,
      async () => {
        const document = await getJson(`http://127.0.0.1:${base}/api/v1/openapi.json`)
        const tags = Array.isArray(document?.tags) ? document.tags.length : 0
        return tags >= published ? document : undefined
      },
      tail,
    )
  } finally {
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(killer)
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** The document as committed: JSON formatted by the project's prettier configuration. */
export async function formatDocument(document: Record<string, unknown>): Promise<string> {
  const options = await resolveConfig(documentPath)
  return format(JSON.stringify(document), { ...options, parser: 'json' })
}
