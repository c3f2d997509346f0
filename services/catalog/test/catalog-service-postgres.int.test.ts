import { catalogSuite, seedSuite } from './catalog-suite.js'

catalogSuite('postgres')
seedSuite('postgres')
