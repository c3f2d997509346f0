export * from './http.js'
export * from './events.js'
export * from './tax.js'
export * from './promotions.js'
