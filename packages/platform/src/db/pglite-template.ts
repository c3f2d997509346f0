import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { PGlite, PGliteOptions } from '@electric-sql/pglite'

/*
 * A new in-memory PGlite runs initdb first: ~4.6 s of CPU on the development machine, most of
 * what an integration suite on PGlite costs. Started from the data directory a fresh initdb made
 * (its tarball, PGlite's `loadDataDir`), the same instance is ready in ~0.9 s; so is a new data
 * folder (the embedded mode's first start). When `usePgliteTemplates` names a folder (the tests'
 * setup and the embedded mode's `PGLITE_TEMPLATE_DIR` do), that tarball (~40 MB)
 * is made once, by a pristine instance, and kept there under the PGlite version that made it,
 * for every process after. Nothing else is in it: settings (`postgresqlconf`) are written at
 * every start, extensions are created by migrations. Unset (production), nothing changes.
 */

let kept: Promise<Blob | undefined> | undefined
let templates: string | undefined

/** Where the template is kept (made on first use); undefined: none, every new one runs initdb. */
export function usePgliteTemplates(folder: string | undefined): void {
  templates = folder || undefined
  kept = undefined
}

/**
 * A PGlite with `options`, in memory (no `folder`) or in `folder` (created when missing): one
 * not made yet (no PG_VERSION there) starts from the template when there is one.
 */
export async function newPGlite(
  Class: typeof PGlite,
  folder: string | undefined,
  options: PGliteOptions,
): Promise<PGlite> {
  const open = async (more: PGliteOptions = {}) => {
    const client = folder
      ? new Class(folder, { ...options, ...more })
      : new Class({ ...options, ...more })
    await client.waitReady
    return client
  }
  if (folder) mkdirSync(folder, { recursive: true })
  if (folder && existsSync(join(folder, 'PG_VERSION'))) return open()
  const template = await (kept ??= loadOrMakeTemplate(Class, options).catch(() => undefined))
  if (template) {
    try {
      return await open({ loadDataDir: template })
    } catch {
      // A template that does not start (a damaged file): initdb from now on, in this process,
      // and the file goes, so that the next process makes a good one.
      kept = Promise.resolve(undefined)
      const file = templateFile()
      if (file) rmSync(file, { force: true })
      if (folder) {
        rmSync(folder, { recursive: true, force: true })
        mkdirSync(folder, { recursive: true })
      }
    }
  }
  return open()
}

async function loadOrMakeTemplate(
  Class: typeof PGlite,
  options: PGliteOptions,
): Promise<Blob | undefined> {
  const file = templateFile()
  if (!file) return undefined
  try {
    return new Blob([readFileSync(file)])
  } catch {
    // Not made yet: a pristine instance's (no settings written into it).
  }
  const pristine = new Class({ extensions: options.extensions })
  await pristine.waitReady
  const blob = await pristine.dumpDataDir('none')
  await pristine.close()
  try {
    mkdirSync(dirname(file), { recursive: true })
    // Other processes may make it at once: each writes a file of its own, the rename is atomic.
    const partial = `${file}.${process.pid}.partial`
    writeFileSync(partial, Buffer.from(await blob.arrayBuffer()))
    renameSync(partial, file)
  } catch {
    // A cache only: the next process makes it again.
  }
  return blob
}

function templateFile(): string | undefined {
  const folder = templates
  if (!folder) return undefined
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string
  }
  return join(folder, `pglite-${manifest.version}-initdb.tar`)
}
