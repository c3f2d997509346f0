import { backOfficeSuite } from './back-office-suite.js'

backOfficeSuite('pglite')
