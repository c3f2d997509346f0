import { defineConfig } from 'vitest/config'

// The container test (tests/containers): builds every service's image with podman and runs the
// platform as containers, so it runs on its own, after the rest (`npm run test:containers`).
export default defineConfig({
  test: {
    include: ['tests/containers/**/*.containers.test.ts'],
    exclude: ['**/node_modules/**'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
})
