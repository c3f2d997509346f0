export * from './events.js'
export * from './money.js'
export * from './problem.js'
export * from './pagination.js'
