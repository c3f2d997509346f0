import { sql, type Kysely } from 'kysely'

/**
 * Drafts (issue 17): a product's `status`, `published` (shoppers see it) or `draft` (admins
 * only). Every product there is published, as is one created without a status. The drafts'
 * own small partial index serves the back office's list of drafts, newest first; shoppers'
 * lists keep their indexes, a published product being all but every row. PostgreSQL and PGlite
 * alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table products add column status varchar(16) not null default 'published'
    constraint products_status_ck check (status in ('draft', 'published'))`.execute(db)
  await sql`create index products_drafts_idx on products (created_at desc, id desc)
    where deleted_at is null and status = 'draft'`.execute(db)
}
