import { webhooksSuite } from './webhooks-suite.js'

// The embedded mode's database and in-process bus.
webhooksSuite('pglite')
