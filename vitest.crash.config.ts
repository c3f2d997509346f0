import { defineConfig } from 'vitest/config'

// Crash tests kill processes and restart RabbitMQ, NATS and PostgreSQL, so they run on their
// own, one file at a time, after the rest of the suite. The servers they restart are their own
// (started by @emporium/platform/testing's startPrivateRabbitMq/startPrivateNats/
// startPrivatePostgres on spare ports), never the machine's.
export default defineConfig({
  test: {
    include: ['{packages,services,apps,tests}/**/*.crash.test.ts'],
    exclude: ['**/node_modules/**'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
})
