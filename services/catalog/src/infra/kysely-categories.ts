import { sql } from 'kysely'
import { catalog as events } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { CategoryStore, CategoryWrite } from '../app/ports.js'
import { categoryWritten } from '../domain/audit-trail.js'
import { recordAudit } from './kysely-variants.js'
import { isUniqueViolation, type Trx } from './product-rows.js'

/**
 * Serialises the writes that give out slugs: a slug must be unlike every other category's slug
 * (a unique index) and id (no index can say so), checked and written under one lock. Back-office
 * writes are rare; reads never take it.
 */
async function lockSlugs(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(4242017)`.execute(trx)
}

/** Whether another category (not `self`) has `slug` as its slug or its id. */
async function slugInUse(trx: Trx, slug: string, self: string): Promise<boolean> {
  const row = await trx
    .selectFrom('categories')
    .select('id')
    .where('id', '<>', self)
    .where((eb) => eb.or([eb('slug', '=', slug), eb('id', '=', slug)]))
    .executeTakeFirst()
  return row !== undefined
}

/** Categories of the back office (issue 17), each write with its event in one transaction. */
export function createKyselyCategories(deps: {
  database: Database
  outbox: Outbox
}): CategoryStore {
  const { database, outbox } = deps
  const snapshot = (c: { id: string; name: string; slug: string }) => ({
    categoryId: c.id,
    name: c.name,
    slug: c.slug,
  })

  async function write(slug: string, run: () => Promise<CategoryWrite>): Promise<CategoryWrite> {
    try {
      return await run()
    } catch (error) {
      // A writer that took no lock (a migration, a seed) won the unique slug.
      if (isUniqueViolation(error)) return { slugTaken: slug }
      throw error
    }
  }

  return {
    createCategory: (category, actor) =>
      write(category.slug, () =>
        database.transaction(async (trx) => {
          await lockSlugs(trx)
          if (await slugInUse(trx, category.slug, category.id)) return { slugTaken: category.slug }
          await trx.insertInto('categories').values(category).execute()
          await outbox.add(trx, events.CategoryCreated, snapshot(category))
          if (actor) await recordAudit(outbox, trx, categoryWritten(actor, null, category))
          return category
        }),
      ),

    updateCategory: (id, patch, actor) =>
      write(patch.slug ?? '', () =>
        database.transaction(async (trx) => {
          await lockSlugs(trx)
          const before = await trx
            .selectFrom('categories')
            .select(['id', 'name', 'slug'])
            .where('id', '=', id)
            .forUpdate()
            .executeTakeFirst()
          if (!before) return 'not_found' as const
          if (patch.slug !== undefined && (await slugInUse(trx, patch.slug, id))) {
            return { slugTaken: patch.slug }
          }
          const after = { ...before, ...patch }
          await trx
            .updateTable('categories')
            .set({ name: after.name, slug: after.slug })
            .where('id', '=', id)
            .execute()
          await outbox.add(trx, events.CategoryUpdated, snapshot(after))
          if (actor) await recordAudit(outbox, trx, categoryWritten(actor, before, after))
          return after
        }),
      ),
  }
}
