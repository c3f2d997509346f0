import { sql, type Kysely } from 'kysely'

/**
 * Product media (issue 17). PostgreSQL and PGlite alike; the bytes live in the catalog's own
 * database (bytea) behind the MediaStore port.
 * - `product_media`: a product's pictures in gallery order (`position`), with their alt text and
 *   what was uploaded (format, length; the upload itself is not kept).
 * - `media_files`: each picture's sizes as WebP, with a strong entity tag of their bytes. A
 *   picture's files go with it.
 * - `media_galleries`: a row per product that has pictures, keeping the `image_url` its product
 *   had before the first (the generated image's null, or an admin's URL): while it has pictures
 *   a product's `image_url` is its first picture's, and it gets that one back when the last goes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('product_media')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('product_id', 'varchar(64)', (c) => c.notNull().references('products.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('alt', 'varchar(300)', (c) => c.notNull().defaultTo(''))
    .addColumn('source_format', 'varchar(8)', (c) => c.notNull())
    .addColumn('source_bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  await sql`create index product_media_product_idx on product_media (product_id, position)`.execute(
    db,
  )

  await db.schema
    .createTable('media_files')
    .addColumn('media_id', 'varchar(64)', (c) =>
      c.notNull().references('product_media.id').onDelete('cascade'),
    )
    .addColumn('width', 'integer', (c) => c.notNull().check(sql`width > 0`))
    .addColumn('height', 'integer', (c) => c.notNull().check(sql`height > 0`))
    .addColumn('content_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('etag', 'varchar(64)', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_files_pk', ['media_id', 'width'])
    .execute()

  await db.schema
    .createTable('media_galleries')
    .addColumn('product_id', 'varchar(64)', (c) => c.primaryKey().references('products.id'))
    .addColumn('replaced_image_url', 'varchar(2048)')
    .execute()
}
