import { reportingSuite } from './reporting-suite.js'

// PostgreSQL fed through RabbitMQ, as in production.
reportingSuite('postgres')
