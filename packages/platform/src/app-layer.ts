/**
 * `@emporium/platform/app`: what a service's app/ layer may take from the platform — errors,
 * the logger's type, the cursor codec, the transaction type its ports are handed — and nothing
 * that opens a database, a broker, a server or a file. An allow-list rather than a ban on names:
 * something new in the platform's main entry is out of app/'s reach until it is added here on
 * purpose (the lint rule in eslint.config.js refuses the main entry in app/ and domain/).
 */
export * from './errors.js'
export type { Logger } from './log.js'
export type { HandlerContext } from './messaging/consumer.js'
export { decodeTimeIdCursor, encodeTimeIdCursor, type TimeIdCursor } from './http/cursor.js'
export { missingPermission, missingRole } from './auth/bearer-auth.js'
export { guestIdPrefix, guestNotAllowed, guestRole, isGuest } from './auth/guest.js'
export { clearingOnWrite, createKeptReads, type KeptReads } from './kept-reads.js'
