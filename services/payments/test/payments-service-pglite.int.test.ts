import { paymentsSuite } from './payments-service-suite.js'

paymentsSuite('pglite')
