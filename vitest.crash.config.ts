import { defineConfig } from 'vitest/config'

// Crash tests kill processes and restart RabbitMQ, NATS and PostgreSQL, so they run on their
// own, after the rest of the suite. The servers they restart are their own (started by
// @emporium/platform/testing's startPrivateRabbitMq/startPrivateNats/startPrivatePostgres on
// spare ports), never the machine's.
const include = ['{packages,services,apps,tests}/**/*.crash.test.ts']
// The checkout's chaos runs (tests/e2e) count how many checkouts went through the faults, so
// each has the machine to itself: one at a time, after the others.
const chaos = ['tests/**/*.crash.test.ts']
const exclude = ['**/node_modules/**']

export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          // A producer, a consumer or a service killed again and again against a broker of
          // their own: they count effects, not their rate, so two run at once (2026-12-05: 53 s
          // and 79 s one after the other).
          name: 'crash',
          include,
          exclude: [...exclude, ...chaos],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'chaos',
          include: chaos,
          exclude,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
