export * from './test-databases.js'
export * from '../messaging/bus-conformance.js'
export * from './test-tokens.js'
export * from './raw-http.js'
