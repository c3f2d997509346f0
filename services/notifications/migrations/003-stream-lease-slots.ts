import { sql, type Kysely } from 'kysely'

/**
 * A lease now holds one of its user's numbered slots (0 to the cap − 1), unique per user: taking
 * one is a single INSERT … ON CONFLICT (user_id, slot) that only replaces an expired lease, with
 * no advisory lock, count or transaction around it. Leases written by a replica of the previous
 * version have no slot; they are not counted by the new ones and expire (rolling upgrade: the cap
 * may be passed while both versions serve streams).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('stream_leases').addColumn('slot', 'integer').execute()
  await sql`create unique index stream_leases_user_slot_key on stream_leases (user_id, slot)`.execute(
    db,
  )
}
