// Run before every test file (vitest.config.ts `setupFiles`): in-memory and new PGlite databases
// start from one initdb kept in PGLITE_TEMPLATE_DIR (packages/platform/src/db/pglite-template.ts),
// ~0.9 s each instead of ~4.6 s. Processes the tests start (the embedded platform) inherit the
// variable, which its config reads.
import { usePgliteTemplates } from '@emporium/platform/pglite-template'

usePgliteTemplates(process.env.PGLITE_TEMPLATE_DIR)
