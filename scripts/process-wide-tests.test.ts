// Test files share their workers' modules (`isolate: false` in vitest.config.ts): a file that
// leaves process-wide state behind changes every file run after it in the same worker. Those that
// do so on purpose run in the `isolated` project, each in a process of its own; this keeps the
// list in the config complete for what can be seen in a file's own text.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { processWide } from '../vitest.config.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// This file names the forms it looks for.
const thisFile = path
  .relative(repoRoot, fileURLToPath(import.meta.url))
  .split(path.sep)
  .join('/')

/** What sets state for the whole process: a global OpenTelemetry part, the environment, a mock. */
const processWideState = [
  /\bspanProcessors\b/,
  /\bsetGlobal(TracerProvider|ContextManager|Propagator|Dispatcher)\b/,
  /\bprocess\.env(\.\w+|\[[^\]]+\])\s*=(?!=)/,
  /\bdelete\s+process\.env\b/,
  /\bvi\.(stubEnv|stubGlobal|mock|doMock)\(/,
]

/** Whether `source` sets process-wide state (by one of the forms above). */
export function setsProcessWideState(source: string): boolean {
  return processWideState.some((pattern) => pattern.test(source))
}

/** The test files the main config runs (not the crash, load and container tests), tracked or new. */
function mainTestFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '*.test.ts', '*.test.tsx'],
    { cwd: repoRoot, encoding: 'utf8' },
  )
  return listed
    .split('\n')
    .filter(
      (file) =>
        file !== '' && file !== thisFile && !/\.(crash|load|containers)\.test\.tsx?$/.test(file),
    )
}

describe('tests that set process-wide state', () => {
  it('run in a process of their own (vitest.config.ts lists them in processWide)', () => {
    const setting = mainTestFiles().filter((file) =>
      setsProcessWideState(readFileSync(path.join(repoRoot, file), 'utf8')),
    )
    expect(setting.filter((file) => !processWide.includes(file))).toEqual([])
    // A file that no longer sets any goes back to sharing its worker.
    expect(processWide.filter((file) => !setting.includes(file))).toEqual([])
  })

  it('are told by what they set', () => {
    expect(setsProcessWideState("process.env.OTEL_TIMEOUT = '1000'")).toBe(true)
    expect(setsProcessWideState("process.env['X'] = 'y'")).toBe(true)
    expect(setsProcessWideState('delete process.env.X')).toBe(true)
    expect(setsProcessWideState('setupTracing({ spanProcessors: [p] })')).toBe(true)
    expect(setsProcessWideState("vi.stubEnv('X', '1')")).toBe(true)
    expect(setsProcessWideState("vi.mock('./x.js')")).toBe(true)
    expect(setsProcessWideState("if (process.env.CI === 'true') skip()")).toBe(false)
    expect(setsProcessWideState('const env = { ...process.env, PORT: "1" }')).toBe(false)
  })
})
