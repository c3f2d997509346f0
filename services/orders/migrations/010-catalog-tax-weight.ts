import type { Kysely } from 'kysely'

/**
 * Tax and shipping (issue 18): orders' copy of the catalog keeps each product's tax class and
 * each variant's weight, from the catalog's product events, so that placing an order prices tax
 * and shipping without asking the catalog. Rows from before: `standard`, 0 g, until the
 * product's next event.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('catalog_prices')
    .addColumn('tax_class', 'text', (c) => c.notNull().defaultTo('standard'))
    .addColumn('weight_grams', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('catalog_prices')
    .dropColumn('tax_class')
    .dropColumn('weight_grams')
    .execute()
}
