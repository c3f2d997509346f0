import { auditTrailSuite } from './audit-trail-suite.js'

auditTrailSuite('postgres')
