import type { ScenarioName } from '../types.js'
import { browse } from './browse.js'
import { cart } from './cart.js'
import { checkout } from './checkout.js'
import type { Scenario } from './context.js'
import { history } from './history.js'
import { search } from './search.js'
import { view } from './view.js'

export type { ScenarioContext, ScenarioEnd } from './context.js'

export const scenarios: Readonly<Record<ScenarioName, Scenario>> = {
  browse,
  search,
  view,
  cart,
  checkout,
  history,
}
