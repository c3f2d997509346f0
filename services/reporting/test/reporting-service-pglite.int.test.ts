import { reportingSuite } from './reporting-suite.js'

// The embedded mode's database and in-process bus.
reportingSuite('pglite')
