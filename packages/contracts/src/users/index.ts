export * from './http.js'
export * from './events.js'
export * from './addresses.js'
export * from './password-reset.js'
