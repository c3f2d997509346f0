import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, describe, expect, it } from 'vitest'
import { newPGlite, usePgliteTemplates } from './pglite-template.js'
import { pgliteExtensions } from './shared-pglite.js'

describe('PGlite databases from a kept initdb', () => {
  const folder = mkdtempSync(join(tmpdir(), 'emporium-pglite-template-'))
  afterAll(() => {
    usePgliteTemplates(process.env.PGLITE_TEMPLATE_DIR)
    rmSync(folder, { recursive: true, force: true })
  })

  it('keeps the template once, and starts empty, working databases (memory and folder) from it', async () => {
    usePgliteTemplates(join(folder, 'templates'))
    const options = { extensions: await pgliteExtensions() }
    const first = await newPGlite(PGlite, undefined, options)
    const kept = readdirSync(join(folder, 'templates'))
    expect(kept).toEqual([expect.stringMatching(/^pglite-[\d.]+-initdb\.tar$/)])
    await first.exec('create table t (x int); insert into t values (1)')

    // Another one (a new process reads the file): none of the first's tables.
    usePgliteTemplates(join(folder, 'templates'))
    const second = await newPGlite(PGlite, undefined, options)
    const tables = await second.query(
      "select count(*)::int as n from pg_tables where schemaname = 'public'",
    )
    expect(tables.rows).toEqual([{ n: 0 }])
    await second.exec('create extension if not exists pg_trgm')

    const data = join(folder, 'data')
    const inFolder = await newPGlite(PGlite, data, options)
    expect(existsSync(join(data, 'PG_VERSION'))).toBe(true)
    await inFolder.exec('create table kept (x int)')
    await inFolder.close()
    // An existing folder opens as it is.
    const again = await newPGlite(PGlite, data, options)
    expect((await again.query("select to_regclass('kept') as t")).rows).toEqual([{ t: 'kept' }])
    await Promise.all([first.close(), second.close(), again.close()])
  })

  it('runs initdb when the kept template is damaged', async () => {
    const templates = join(folder, 'damaged')
    usePgliteTemplates(templates)
    const options = { extensions: await pgliteExtensions() }
    await (await newPGlite(PGlite, undefined, options)).close()
    const [file] = readdirSync(templates)
    writeFileSync(join(templates, file!), 'not a tarball')
    usePgliteTemplates(templates)
    const db = await newPGlite(PGlite, undefined, options)
    expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }])
    await db.close()
    // The damaged file is gone: the next process makes a good one.
    expect(readdirSync(templates)).toEqual([])
  })
})
