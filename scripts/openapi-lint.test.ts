import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { documentPath } from './openapi-document.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)

interface LintReport {
  totals: { errors: number; warnings: number }
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[]
}

type Json = Record<string, unknown>

// The committed document (scripts/openapi.int.test.ts keeps it the one the gateway serves),
// linted with the project's redocly.yaml: a partner generates a client from it.
describe('docs/openapi.json', () => {
  it('is lint-clean with Redocly (no error, no warning)', async () => {
    const { stdout } = await run(
      join(root, 'node_modules', '.bin', 'redocly'),
      ['lint', documentPath, '--config', join(root, 'redocly.yaml'), '--format=json'],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
        // No telemetry or update check: the lint needs no network.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    )
    const report = JSON.parse(stdout) as LintReport
    const problems = report.problems.map(
      (p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`,
    )
    expect(problems).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
  }, 60_000)

  it('describes every operation: an id, security, real descriptions, problem documents', async () => {
    const document = JSON.parse(await readFile(documentPath, 'utf8')) as {
      paths: Record<string, Record<string, Json>>
    }
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => method !== 'parameters')
        .map(([method, operation]) => ({ at: `${method} ${path}`, operation })),
    )
    expect(operations.length).toBeGreaterThan(20)
    for (const { at, operation } of operations) {
      expect(operation.operationId, at).toEqual(expect.any(String))
      expect(operation.security, at).toEqual(expect.any(Array))
      const responses = operation.responses as Record<string, Json>
      expect(responses['429'], at).toEqual({ $ref: '#/components/responses/TooManyRequests' })
      for (const [status, response] of Object.entries(responses)) {
        expect(response.description, `${at} ${status}`).not.toBe('Default Response')
        if (/^[45]/.test(status) && !response.$ref) {
          expect(Object.keys(response.content as Json), `${at} ${status}`).toEqual([
            'application/problem+json',
          ])
        }
      }
    }
  })
})
