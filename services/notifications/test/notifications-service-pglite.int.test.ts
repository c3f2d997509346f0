import { notificationsSuite } from './notifications-suite.js'

notificationsSuite('pglite')
