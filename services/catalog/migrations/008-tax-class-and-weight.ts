import { sql, type Kysely } from 'kysely'

/**
 * Tax and shipping (issue 18): a product's `tax_class` (`standard` unless an admin sets another;
 * the orders service's tax rates are per class) and each variant's `weight_grams` (shipping
 * rates by weight; 0 unless set). Existing products are `standard`, their variants 0 g: the
 * defaults fill them. PostgreSQL and PGlite alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table products add column tax_class varchar(32) not null default 'standard'
    constraint products_tax_class_ck check (tax_class ~ '^[a-z0-9-]{1,32}$')`.execute(db)
  await sql`alter table variants add column weight_grams integer not null default 0
    constraint variants_weight_grams_ck check (weight_grams >= 0)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table variants drop column weight_grams`.execute(db)
  await sql`alter table products drop column tax_class`.execute(db)
}
