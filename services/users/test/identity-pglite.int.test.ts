import { identitySuite } from './identity-suite.js'

identitySuite('pglite')
