// The load generator as a library (the chaos runner and the benchmarks drive it); the CLI is
// main.ts.
export type {
  CardName,
  CheckoutReport,
  InvariantOptions,
  InvariantResult,
  LoadOptions,
  LoadReport,
  OperationStats,
  Percentiles,
  ScenarioName,
} from './types.js'
export { cardNumbers, scenarioNames } from './types.js'
export { runLoad } from './run-load.js'
export { checkInvariants } from './invariants.js'
export { formatReport } from './report-format.js'
export { judge, type Verdict } from './verdict.js'
