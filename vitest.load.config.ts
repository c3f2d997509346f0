import { defineConfig } from 'vitest/config'

// Load tests (a burst of hundreds of buyers, each answer timed) need the machine to themselves:
// they run one file at a time, after the rest of the suite, so that a busy neighbour does not
// decide their timings.
export default defineConfig({
  test: {
    include: ['{packages,services,apps,tests}/**/*.load.test.ts'],
    exclude: ['**/node_modules/**'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 240_000,
  },
})
