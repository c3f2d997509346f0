import { ordersSuite } from './orders-service-suite.js'

ordersSuite('postgres')
