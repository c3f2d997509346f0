import type { ProductQuery } from '@emporium/sdk'
import { between, oneOf } from '../random.js'
import { isOk, reader, type Scenario } from './context.js'

const sorts = ['newest', 'price_asc', 'price_desc'] as const

/** Lists products, often by category and price band, pages on with the cursor, views one. */
export const browse: Scenario = async (context) => {
  const { http, book, random } = context
  const init = await reader(context)
  const query: ProductQuery = { limit: 20, sort: oneOf(random, sorts)! }
  const category = random() < 0.7 ? book.category() : undefined
  if (category) query.category = category
  if (random() < 0.5) {
    const [min, max] = book.priceBand()
    query.minPrice = min
    if (max !== undefined) query.maxPrice = max
  }
  const list = (operation: string) =>
    http.call(operation, (api) => api.GET('/api/v1/products', { params: { query } }), init)
  let page = await list('products.list')
  if (!isOk(page)) return 'failed'
  book.remember(page.body.items)
  const pages = between(random, 0, 2)
  for (let i = 0; i < pages && page.body.nextCursor; i++) {
    query.cursor = page.body.nextCursor
    page = await list('products.page')
    if (!isOk(page)) return 'failed'
    book.remember(page.body.items)
  }
  const chosen = random() < 0.5 ? oneOf(random, page.body.items) : undefined
  if (chosen) {
    const view = await http.call(
      'products.view',
      (api) => api.GET('/api/v1/products/{id}', { params: { path: { id: chosen.id } } }),
      init,
    )
    if (!isOk(view)) return 'failed'
    book.remember([view.body])
  }
  return 'done'
}
