import { shippingSuite } from './shipping-suite.js'

// The embedded mode's database and in-process bus.
shippingSuite('pglite')
