import { auditTrailSuite } from './audit-trail-suite.js'

auditTrailSuite('pglite')
