export * from './http.js'
export * from './events.js'
export * from './media.js'
export * from './categories.js'
