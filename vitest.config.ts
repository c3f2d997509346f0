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
// Unit tests that change what a process holds for every file after them: OpenTelemetry's
// global tracer provider (tracing, metrics) and the environment (peers). They get a process of
// their own, as the integration suites do.
const processWide = [
  'packages/platform/src/tracing.test.ts',
  'packages/platform/src/metrics.test.ts',
  'scripts/bench/peers/peers.test.ts',
]
// Suites that start servers, databases or browsers (and every file under tests/).
const integration = ['**/*.int.test.ts', 'tests/**/*.test.ts']

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites each create their own databases and queues, so files run in parallel.
    pool: 'forks',
    // Vitest's default: one fewer worker than the cores (one on the two-core CI machine). Two
    // were tried (2026-12-04): the suite is CPU-bound there (each integration file starts
    // servers and browsers), so the run was no shorter (37 minutes) and a browser page took
    // over 20 s to render. VITEST_MAX_WORKERS sets it on a larger machine.
    ...(process.env.VITEST_MAX_WORKERS
      ? { maxWorkers: Number(process.env.VITEST_MAX_WORKERS) }
      : {}),
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
        },
      },
      {
        extends: true,
        test: {
          // Each in a process of its own: servers, databases, browsers, and what each started.
          name: 'integration',
          include: [...integration, ...processWide],
          exclude: notHere,
        },
      },
    ],
  },
})
