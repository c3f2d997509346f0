import { notificationsSuite } from './notifications-service-suite.js'

notificationsSuite('postgres')
