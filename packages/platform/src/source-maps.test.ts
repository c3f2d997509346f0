import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// warmSourceMaps as the services' bundles run it: a bundle split into chunks with linked maps
// (the entry, and a chunk it imports as it starts), run by node with and without
// --enable-source-maps. Each run prints how many maps the warm-up parsed.
describe('warmSourceMaps in a bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emporium-warm-maps-'))
  const out = join(dir, 'out')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  beforeAll(async () => {
    const warm = fileURLToPath(new URL('./source-maps.ts', import.meta.url))
    // A chunk with a large map: many small functions, each a mapping or more.
    const big = Array.from(
      { length: 20_000 },
      (_, i) => `export function f${i}(n: number): number { return n + ${i} }`,
    )
    big.push('export function fail(): Error { return new Error("boom") }')
    writeFileSync(join(dir, 'big.ts'), big.join('\n'))
    writeFileSync(
      join(dir, 'main.ts'),
      [
        `import { warmSourceMaps } from ${JSON.stringify(warm)}`,
        "const early = process.env.WARM === 'early' ? warmSourceMaps() : undefined",
        "const { fail } = await import('./big.js')",
        'const warmed = early ?? warmSourceMaps()',
        // The mapped frame: the maps are the ones node uses.
        "console.log(JSON.stringify({ warmed, frame: fail().stack?.split('\\n')[1] }))",
      ].join('\n'),
    )
    await build({
      entryPoints: [join(dir, 'main.ts')],
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      sourcemap: 'linked',
      outdir: out,
      logLevel: 'warning',
    })
  }, 60_000)

  const run = (flags: string[], when: 'early' | 'started' = 'started') =>
    JSON.parse(
      execFileSync(process.execPath, [...flags, join(out, 'main.js')], {
        encoding: 'utf8',
        env: { ...process.env, WARM: when },
      }),
    ) as { warmed: number; frame: string }

  it("parses the maps of every loaded script of the bundle's folder under --enable-source-maps", () => {
    const started = run(['--enable-source-maps'])
    expect(started.warmed).toBe(2)
    expect(started.frame).toContain(`${join(dir, 'big.ts')}:`)
  })

  it('leaves a script not loaded yet alone (its map is read as it loads)', () => {
    expect(run(['--enable-source-maps'], 'early').warmed).toBe(1)
  })

  it('does nothing without --enable-source-maps', () => {
    const plain = run([])
    expect(plain.warmed).toBe(0)
    expect(plain.frame).toMatch(/big-\w+\.js:/)
  })
})
