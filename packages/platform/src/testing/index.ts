export * from './test-databases.js'
export * from '../messaging/bus-conformance.js'
