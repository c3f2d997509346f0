import { staffSuite } from './staff-suite.js'

staffSuite('mysql')
