import { cpSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  embeddedManagementPort,
  repoRoot,
  reserveEmbeddedPorts,
  startProcess,
  waitForOk,
} from './process.js'
import { keepMade, sourcesFingerprint } from './service-bundles.js'

// An embedded platform's first start creates and migrates every service's database and seeds the
// demo catalog: 3–6 s more than a start on a folder that has them (2026-12-05, a quiet machine:
// 11.8–15.4 s against 8.6–9.2), paid by each of some 25 suites that want a new platform, not a
// first start. They begin from a copy of one folder instead: a platform started once with the
// defaults, ready, then stopped, kept in node_modules/.cache/emporium/embedded-data-<hash of the
// sources> (a change of a migration or a seed makes another). A suite about the first start
// itself (all-in-one.int.test.ts) starts from an empty folder as before.

const cache = join(repoRoot, 'node_modules', '.cache', 'emporium')
const roots = ['packages', 'services', 'apps/all-in-one', 'package-lock.json']
let made: Promise<string> | undefined

/**
 * Fills `dataDir` with a stopped platform's data (migrated, seeded, no account or order), unless
 * it holds a database already (a suite starting its platform again on the same folder).
 */
export async function fillDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'pglite'))) return
  made ??= make()
  made.catch(() => (made = undefined))
  cpSync(await made, dataDir, { recursive: true })
}

async function make(): Promise<string> {
  const folder = join(cache, `embedded-data-${sourcesFingerprint(roots)}`)
  if (existsSync(folder)) return folder
  // Other processes may make it at once: each in a folder of its own, the rename is atomic.
  const partial = `${folder}.${process.pid}.partial`
  rmSync(partial, { recursive: true, force: true })
  const port = await reserveEmbeddedPorts()
  const started = startProcess('apps/all-in-one/src/main.ts', {
    PORT: String(port),
    EMBEDDED_PORT_BASE: String(port + 1),
    DATA_DIR: partial,
    LOG_LEVEL: 'warn',
  })
  let failure: unknown
  try {
    // Generous: the machine is shared, and PGlite migrations take a while on a busy one.
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(port + 1)}/readyz`, started, 240_000)
  } catch (error) {
    failure = error
  }
  started.child.kill('SIGTERM')
  const killer = setTimeout(() => started.child.kill('SIGKILL'), 30_000)
  const exit = await started.exited
  clearTimeout(killer)
  // Only a clean stop leaves PGlite's files whole.
  if (failure !== undefined || exit.code !== 0) {
    rmSync(partial, { recursive: true, force: true })
    throw (
      failure ??
      new Error(`the platform stopped with ${exit.code ?? exit.signal}:\n${started.output()}`)
    )
  }
  keepMade(partial, folder)
  return folder
}
