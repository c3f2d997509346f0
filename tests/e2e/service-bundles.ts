import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { repoRoot } from './process.js'

// The distributed runs start each service from its bundle (deploy/docker/bundle.mjs, what its
// container runs) rather than under tsx: a process is ready on ~1 s of CPU instead of ~4 s, so
// ten of them starting at once on a busy two-core CI machine no longer take minutes. The bundles
// are made once per change of the sources, in node_modules/.cache/emporium/bundles-<hash of the
// sources' paths, sizes and times>, where the packages they leave external are found in the
// repository's node_modules; the storefront is linked, so a rebuilt one is served at once.

const cache = join(repoRoot, 'node_modules', '.cache', 'emporium')
const roots = ['packages', 'services', 'deploy/docker/bundle.mjs', 'package-lock.json']
let made: Promise<string> | undefined

/** The folder of the services' bundles (`<folder>/<service>/main.mjs`), made when missing. */
export function serviceBundles(): Promise<string> {
  made ??= make()
  made.catch(() => (made = undefined))
  return made
}

async function make(): Promise<string> {
  const folder = join(cache, `bundles-${sourcesFingerprint(roots)}`)
  if (existsSync(join(folder, 'complete'))) return folder
  // Other processes may make it at once: each in a folder of its own, the rename is atomic.
  const partial = `${folder}.${process.pid}.partial`
  rmSync(partial, { recursive: true, force: true })
  await promisify(execFile)(
    process.execPath,
    ['deploy/docker/bundle.mjs', '--out', partial, '--in-repository'],
    { cwd: repoRoot, timeout: 300_000 },
  )
  writeFileSync(join(partial, 'complete'), '')
  keepMade(partial, folder)
  return folder
}

/**
 * Moves what was made in `partial` to `folder` (the rename is atomic: when another process's is
 * there already, this one goes), then forgets the cache's folders of the same kind (the name
 * before the hash) made from other sources a day ago or more: no run still uses them.
 */
export function keepMade(partial: string, folder: string): void {
  try {
    renameSync(partial, folder)
  } catch {
    rmSync(partial, { recursive: true, force: true })
  }
  const kind = basename(folder).replace(/[0-9a-f]{16}$/, '')
  const dayAgo = Date.now() - 86_400_000
  for (const entry of readdirSync(cache)) {
    const path = join(cache, entry)
    if (!entry.startsWith(kind) || path === folder) continue
    if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true })
  }
}

/** What `roots` hold: every source file's path, size and modification time (tests left out). */
export function sourcesFingerprint(roots: readonly string[]): string {
  const hash = createHash('sha256')
  const visit = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false })
    if (!stat) return
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry === 'node_modules' || entry === 'dist' || entry === 'test') continue
        visit(join(path, entry))
      }
    } else if (!/\.test\.tsx?$/.test(path)) {
      hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`)
    }
  }
  for (const root of roots) visit(join(repoRoot, root))
  return hash.digest('hex').slice(0, 16)
}
