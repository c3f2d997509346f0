import { catalogSuite, seedSuite } from './catalog-service-suite.js'

catalogSuite('postgres')
seedSuite('postgres')
