import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const everyTest = '{packages,services,apps,tests,scripts}/**/*.test.ts'
const notHere = [
  '**/node_modules/**',
  '**/.data/**',
  '**/*.crash.test.ts',
  '**/*.load.test.ts',
  '**/*.containers.test.ts',
]
// Tests that change what a process holds for every file after them: OpenTelemetry's global
// tracer provider (tracing, metrics, a span processor of their own) and the environment (peers,
// the OTLP exporter's settings). Every other file shares its worker's modules with the files
// run there before it (`isolate: false`); these get a process each (the `isolated` project).
export const processWide = [
  'packages/platform/src/tracing.test.ts',
  'packages/platform/src/metrics.test.ts',
  'scripts/bench/peers/peers.test.ts',
  // Integration suites that add a span processor to the process-wide tracer (every span of the
  // files after them would be recorded) or set OTEL_* settings.
  'packages/platform/src/trace-export.int.test.ts',
  'services/gateway/test/protocol-edges.int.test.ts',
]
// Suites that start servers, databases or browsers (and every file under tests/).
const integration = ['**/*.int.test.ts', 'tests/**/*.test.ts']
// Of those, the ones that start a whole platform (embedded or distributed), Chromium, or the
// observability stack: they run after the rest, so that none of them shares the cores with the
// adapter suites' timed cases.
const system = ['tests/**/*.test.ts', 'apps/loadgen/**/*.int.test.ts']
// Of those, the storefront in Chromium: a project of their own, for the platform they share.
const browser = ['tests/browser/**/*.test.ts']
// How many test files run at once: one fewer than the cores, and at least two (the two-core CI
// machine). One at a time left a third of its cores idle while a file waited on its servers or a
// platform started on one thread (2026-12-05, one worker: the unit and adapter suites 540 s, the
// system suites 670 s; two: 357 s and 489 s, each page and burst slower but inside its margins).
// VITEST_MAX_WORKERS and VITEST_SYSTEM_WORKERS set them.
const byDefault = Math.max(2, availableParallelism() - 1)
const workers = Number(process.env.VITEST_MAX_WORKERS ?? byDefault)
const systemWorkers = Number(process.env.VITEST_SYSTEM_WORKERS ?? byDefault)

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites each create their own databases and queues, so files run in parallel.
    pool: 'forks',
    // New PGlite databases start from one initdb kept here (tests/vitest-setup.ts): ~0.9 s each
    // instead of ~4.6 s.
    setupFiles: ['tests/vitest-setup.ts'],
    env: {
      PGLITE_TEMPLATE_DIR: fileURLToPath(new URL('node_modules/.cache/emporium', import.meta.url)),
    },
    projects: [
      {
        extends: true,
        test: {
          // The unit tests (fakes for the ports, no servers) share their worker's modules: a
          // file in a fresh process spent ~0.8 s importing the platform before its first test,
          // which made 200 files of 40 s of tests take about 3 minutes (2026-12-05: 173 s, and
          // 43 s shared).
          name: 'unit',
          include: [everyTest],
          exclude: [...notHere, ...integration, ...processWide],
          isolate: false,
          maxWorkers: workers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          // The adapters against the machine's servers and the services' HTTP suites, alongside
          // the unit tests, `workers` at a time. They share their workers' modules too: each file
          // in a fresh process spent 2–3 s importing the platform, its drivers and fastify before
          // its first test (2026-12-08, a slow machine: 388 s of imports over 123 files, the
          // group 0 of the run 580 s).
          name: 'integration',
          include: integration,
          exclude: [...notHere, ...system, ...processWide],
          isolate: false,
          maxWorkers: workers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          // Each in a process of its own: the files that leave process-wide state behind.
          name: 'isolated',
          include: processWide,
          exclude: notHere,
          maxWorkers: workers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          // A platform, Chromium or the observability stack each: after the group above,
          // `systemWorkers` at a time. The bursts whose answers are timed are load tests
          // (vitest.load.config.ts): they run alone.
          name: 'system',
          include: system,
          exclude: [...notHere, ...browser],
          // Their platforms run in processes of their own; the files share their workers' modules
          // (a file's imports took ~5 s of a fresh process on a slow machine).
          isolate: false,
          maxWorkers: systemWorkers,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // The browser suites, with the system suites (the same group shares their workers).
          // Most of them share one embedded platform, which the global setup starts when the first
          // of them asks and stops after the run (tests/browser/shared-platform.ts). Each started
          // one of its own before (2026-12-07, two workers: 14 platforms and 245 s; now 3 and
          // 172 s).
          name: 'browser',
          include: browser,
          exclude: notHere,
          globalSetup: ['tests/browser/global-setup.ts'],
          isolate: false,
          maxWorkers: systemWorkers,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
