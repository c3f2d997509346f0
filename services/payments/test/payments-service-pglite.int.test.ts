import { paymentsSuite } from './payments-suite.js'

paymentsSuite('pglite')
