import { oneOf } from '../random.js'
import { isOk, reader, type Scenario } from './context.js'

/** Full-text search for a word of a known product's name, then a look at a hit. */
export const search: Scenario = async (context) => {
  const { http, book, random } = context
  const init = await reader(context)
  const query = { q: book.searchTerm(), limit: 20 }
  const hits = await http.call(
    'products.search',
    (api) => api.GET('/api/v1/products', { params: { query } }),
    init,
  )
  if (!isOk(hits)) return 'failed'
  book.remember(hits.body.items)
  const chosen = random() < 0.6 ? oneOf(random, hits.body.items) : undefined
  if (chosen) {
    const view = await http.call(
      'products.view',
      (api) => api.GET('/api/v1/products/{id}', { params: { path: { id: chosen.id } } }),
      init,
    )
    if (!isOk(view)) return 'failed'
  }
  return 'done'
}
