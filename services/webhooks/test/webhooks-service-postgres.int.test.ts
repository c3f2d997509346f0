import { webhooksSuite } from './webhooks-suite.js'

// PostgreSQL, fed through RabbitMQ.
webhooksSuite('postgres')
