import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{packages,services,apps,tests,scripts}/**/*.test.ts'],
    exclude: [
      '**/node_modules/**',
      '**/.data/**',
      '**/*.crash.test.ts',
      '**/*.load.test.ts',
      '**/*.containers.test.ts',
    ],
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
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
