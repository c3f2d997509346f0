import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode, encode } from '@jridgewell/sourcemap-codec'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain ES module of the image build (deploy/docker), without types
import { ownSourceOf, trimSourceMap } from '../../deploy/docker/trim-source-map.mjs'

interface SourceMap {
  version: number
  sources: string[]
  sourcesContent?: (string | null)[]
  names: string[]
  mappings: string
  ignoreList?: number[]
}
const trim = trimSourceMap as (map: SourceMap, keep?: (source: string) => boolean) => SourceMap
const ownOf = ownSourceOf as (
  mapFile: string,
  root: string,
  sourceRoot?: string,
) => (source: string) => boolean

// The images' bundles keep source maps for our code only (deploy/docker/bundle.mjs): Node parses
// a whole map into memory the first time it maps a stack, and the npm packages' mappings were nine
// tenths of each service's (~60 MB of its heap).
describe('trimming a bundle source map to our own code', () => {
  it("keeps our sources' mappings, renumbered, and maps each run of a package's code to nothing", () => {
    const map: SourceMap = {
      version: 3,
      sources: ['../node_modules/lib/a.js', '../src/main.ts', '../node_modules/lib/b.js'],
      sourcesContent: ['a', 'main', 'b'],
      names: ['x'],
      ignoreList: [0, 2],
      mappings: encode([
        [
          [0, 0, 0, 0],
          [4, 0, 0, 1],
        ], // a package's line: one marker
        [
          [0, 2, 3, 0],
          [8, 0, 0, 0],
        ], // a package's code continues the run: no second marker
        [
          [0, 1, 5, 2, 0],
          [6, 1, 5, 9],
        ], // ours, with a name
        [[0, 2, 0, 0]], // another package: a new run
        [[0, 1, 6, 0]],
      ]),
    }
    const trimmed = trim(map)
    expect(trimmed.sources).toEqual(['../src/main.ts'])
    expect(trimmed.sourcesContent).toEqual(['main'])
    expect(trimmed.names).toEqual(['x'])
    expect(trimmed.ignoreList).toBeUndefined()
    expect(decode(trimmed.mappings)).toEqual([
      [[0]],
      [],
      [
        [0, 0, 5, 2, 0],
        [6, 0, 5, 9],
      ],
      [[0]],
      [[0, 0, 6, 0]],
    ])
  })

  describe('under node --enable-source-maps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emporium-trim-map-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    mkdirSync(join(dir, 'node_modules/lib'), { recursive: true })
    mkdirSync(join(dir, 'src'))
    writeFileSync(
      join(dir, 'node_modules/lib/index.js'),
      [
        'exports.each = function each(items, fn) {',
        '  const out = []',
        '  for (const item of items) out.push(fn(item))',
        '  return out',
        '}',
        '',
      ].join('\n'),
    )
    writeFileSync(
      join(dir, 'src/main.ts'),
      [
        "import { each } from 'lib'",
        'function explode(n: number): number {',
        "  if (n > 1) throw new Error('boom')",
        '  return n',
        '}',
        'try {',
        '  each([1, 2], explode)',
        '} catch (error) {',
        '  console.log((error as Error).stack)',
        '}',
        '',
      ].join('\n'),
    )

    /** `cached`: written where the tests' bundles are, inside node_modules, trimmed with ownSourceOf. */
    async function stackOf(trimmed: boolean, cached = false): Promise<string[]> {
      const outfile = join(
        dir,
        cached
          ? 'node_modules/.cache/bundles/trimmed/main.mjs'
          : trimmed
            ? 'trimmed/main.mjs'
            : 'full/main.mjs',
      )
      await build({
        entryPoints: [join(dir, 'src/main.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        sourcemap: 'linked',
        outfile,
        logLevel: 'warning',
      })
      if (trimmed) {
        const map = JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as SourceMap
        const keep = cached
          ? ownOf(`${outfile}.map`, dir, (map as { sourceRoot?: string }).sourceRoot)
          : undefined
        writeFileSync(`${outfile}.map`, JSON.stringify(trim(map, keep)))
      }
      const output = execFileSync(process.execPath, ['--enable-source-maps', outfile], {
        encoding: 'utf8',
      })
      return output.split('\n').filter((line) => line.trim().startsWith('at '))
    }

    it('maps our frames to the TypeScript lines and leaves a package frame at the bundle', async () => {
      const [thrower, library, caller] = await stackOf(true)
      expect(thrower).toContain(`${join(dir, 'src/main.ts')}:3:`)
      expect(library).toMatch(/at each\S* \(file:\/\/.*\/trimmed\/main\.mjs:\d+:\d+\)/)
      expect(caller).toContain(`${join(dir, 'src/main.ts')}:7:`)
    })

    it("trims a bundle written inside node_modules too (its packages' paths are ../lib/…)", async () => {
      const [thrower, library] = await stackOf(true, true)
      expect(thrower).toContain(`${join(dir, 'src/main.ts')}:3:`)
      expect(library).toMatch(/at each\S* \(file:\/\/.*\/bundles\/trimmed\/main\.mjs:\d+:\d+\)/)
    })

    it('(the same bundle untrimmed maps the package frame to its own file)', async () => {
      const [, library] = await stackOf(false)
      expect(library).toContain(join(dir, 'node_modules/lib/index.js'))
    })
  })
})
