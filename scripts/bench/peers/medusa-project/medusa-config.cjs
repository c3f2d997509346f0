// Medusa's configuration for the catalog benchmark's peer rows (copied into the bench's npm
// cache of Medusa as medusa-config.js, see ../medusa.ts): PostgreSQL from DATABASE_URL, no admin
// dashboard (the listing reads none of it; it would need a Vite build), no Redis (Medusa then
// keeps its events, cache and locks in memory, as a single instance may).
const { defineConfig } = require('@medusajs/framework/utils')

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: 'http://127.0.0.1',
      adminCors: 'http://127.0.0.1',
      authCors: 'http://127.0.0.1',
      jwtSecret: 'emporium-bench-only',
      cookieSecret: 'emporium-bench-only',
    },
  },
  admin: { disable: true },
})
