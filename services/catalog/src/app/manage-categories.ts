import { randomUUID } from 'node:crypto'
import type { catalog } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import type { Actor } from '../domain/audit-trail.js'
import type { CategoryStore, CategoryWrite } from './ports.js'

function outcome(written: CategoryWrite): catalog.Category {
  if (written === 'not_found') {
    throw new AppError('not_found', 'CATALOG.CATEGORY_NOT_FOUND', 'There is no such category.')
  }
  if ('slugTaken' in written) {
    throw new AppError(
      'conflict',
      'CATALOG.SLUG_TAKEN',
      `The slug ${written.slugTaken} is another category's.`,
      {
        details: {
          slug: written.slugTaken,
          errors: [{ path: '/body/slug', message: "is another category's slug or id" }],
        },
      },
    )
  }
  return written
}

/** `POST /categories` (admin, issue 17): 409 `CATALOG.SLUG_TAKEN` when the slug is taken. */
export function createCreateCategory(deps: { categories: CategoryStore; newId?: () => string }) {
  const newId = deps.newId ?? randomUUID
  return async (body: catalog.CreateCategoryBody, actor?: Actor): Promise<catalog.Category> =>
    outcome(
      await deps.categories.createCategory(
        { id: newId(), name: body.name, slug: body.slug },
        actor,
      ),
    )
}

/**
 * `PATCH /categories/{id}` (admin, issue 17): a new name or slug; 404 for an unknown id, 409
 * `CATALOG.SLUG_TAKEN` when another category has the slug.
 */
export function createUpdateCategory(deps: { categories: CategoryStore }) {
  return async (
    id: string,
    body: catalog.UpdateCategoryBody,
    actor?: Actor,
  ): Promise<catalog.Category> => outcome(await deps.categories.updateCategory(id, body, actor))
}
