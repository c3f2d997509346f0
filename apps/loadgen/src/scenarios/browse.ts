import type { catalog } from '@emporium/contracts'
import { between, oneOf } from '../random.js'
import { isOk, reader, type Scenario } from './context.js'

const sorts = ['newest', 'price_asc', 'price_desc'] as const

/** Lists products, often by category and price band, pages on with the cursor, views one. */
export const browse: Scenario = async (context) => {
  const { http, book, random } = context
  const init = await reader(context)
  const query = new URLSearchParams({ limit: '20', sort: oneOf(random, sorts)! })
  const category = random() < 0.7 ? book.category() : undefined
  if (category) query.set('category', category)
  if (random() < 0.5) {
    const [min, max] = book.priceBand()
    query.set('minPrice', String(min))
    if (max !== undefined) query.set('maxPrice', String(max))
  }
  let page = await http.call<catalog.ProductPage>('products.list', `/products?${query}`, init)
  if (!isOk(page)) return 'failed'
  book.remember(page.body.items)
  const pages = between(random, 0, 2)
  for (let i = 0; i < pages && page.body.nextCursor; i++) {
    query.set('cursor', page.body.nextCursor)
    page = await http.call<catalog.ProductPage>('products.page', `/products?${query}`, init)
    if (!isOk(page)) return 'failed'
    book.remember(page.body.items)
  }
  const chosen = random() < 0.5 ? oneOf(random, page.body.items) : undefined
  if (chosen) {
    const view = await http.call<catalog.Product>('products.view', `/products/${chosen.id}`, init)
    if (!isOk(view)) return 'failed'
    book.remember([view.body])
  }
  return 'done'
}
