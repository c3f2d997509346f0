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
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
