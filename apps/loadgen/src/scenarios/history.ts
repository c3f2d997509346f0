import { oneOf } from '../random.js'
import { isOk, reader, type Scenario } from './context.js'

/** A signed-in shopper looks at their orders, opens one, sometimes pages back. */
export const history: Scenario = async (context) => {
  const { http, random } = context
  const init = await reader(context)
  if (!init.token) return 'no_shopper'
  const page = await http.call(
    'orders.history',
    (api) => api.GET('/api/v1/orders', { params: { query: { limit: 10 } } }),
    init,
  )
  if (!isOk(page)) return 'failed'
  if (page.body.nextCursor && random() < 0.3) {
    const query = { limit: 10, cursor: page.body.nextCursor }
    const older = await http.call(
      'orders.history',
      (api) => api.GET('/api/v1/orders', { params: { query } }),
      init,
    )
    if (!isOk(older)) return 'failed'
  }
  const chosen = random() < 0.7 ? oneOf(random, page.body.items) : undefined
  if (chosen) {
    const order = await http.call(
      'orders.view',
      (api) => api.GET('/api/v1/orders/{id}', { params: { path: { id: chosen.id } } }),
      init,
    )
    if (!isOk(order)) return 'failed'
  }
  return 'done'
}
