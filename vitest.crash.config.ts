import { defineConfig } from 'vitest/config'

// Crash tests kill processes and restart RabbitMQ itself, so they run on their own, one file
// at a time, after the rest of the suite.
export default defineConfig({
  test: {
    include: ['{packages,services,apps,tests}/**/*.crash.test.ts'],
    exclude: ['**/node_modules/**'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
})
