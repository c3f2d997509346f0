import { outboxCommitsTriggerSql } from '@emporium/platform'
import { sql, type Kysely } from 'kysely'

/**
 * Each commit that writes to the catalog's outbox notifies `outbox_commits` with the writer's
 * `application_name` (issue 14): every replica's outbox tail listens and looks at the outbox when
 * another replica commits, instead of five times a second whatever happens (docs/DESIGN.md, "The
 * catalog's read cache"). A statement trigger: one notification per transaction, delivered at its
 * commit. PostgreSQL and PGlite alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of outboxCommitsTriggerSql) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists outbox_commits_notify on outbox`.execute(db)
  await sql`drop function if exists outbox_commits_notify()`.execute(db)
}
