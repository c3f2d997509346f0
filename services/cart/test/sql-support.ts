import { sql } from 'kysely'
import type { Database } from '@emporium/platform'
import type { CartLine } from '../src/domain/cart.js'

/** A cart row as the SQL store wrote it before `settled_order_ids` (migration 003) existed. */
export async function storeLegacySqlCart(
  database: Database,
  userId: string,
  lines: CartLine[],
): Promise<void> {
  await sql`insert into carts (user_id, lines, version, updated_at)
    values (${userId}, ${JSON.stringify(lines)}, 1, ${new Date()})`.execute(database.db)
}
