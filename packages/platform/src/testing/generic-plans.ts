import { sql, type CompiledQuery, type Kysely, type KyselyPlugin, type QueryId } from 'kysely'

/**
 * The generic plans (PostgreSQL's `EXPLAIN`, text) of the statements `run` sends through the
 * Kysely it is given, in order. The platform names its statements (db/named-statements.ts):
 * PostgreSQL plans a named statement for its values five times, then may keep one generic plan
 * for any values when its estimate costs no more. A generic plan can use a partial index only when
 * the statement's own text proves the index's predicate (`where status = 'pending'` needs the
 * literal, not a parameter), else it reads without that index. Tests assert with this
 * which index a statement's generic plan uses (sequential scans discouraged: a test's tables are
 * nearly empty).
 */
export async function genericPlans<DB>(
  db: Kysely<DB>,
  run: (db: Kysely<DB>) => Promise<unknown>,
): Promise<string[]> {
  // Every builder made through the plugin passes its query here, a subquery's too; only those
  // that ran get a result: their compiled form is kept, in the order they ran.
  const compiled = new Map<QueryId, CompiledQuery>()
  const captured: CompiledQuery[] = []
  const executor = db.getExecutor()
  const capture: KyselyPlugin = {
    transformQuery(args) {
      compiled.set(args.queryId, executor.compileQuery(args.node, args.queryId))
      return args.node
    },
    transformResult(args) {
      const query = compiled.get(args.queryId)
      if (query) captured.push(query)
      return Promise.resolve(args.result)
    },
  }
  await run(db.withPlugin(capture))
  return db.connection().execute(async (connection) => {
    await sql`set plan_cache_mode = force_generic_plan`.execute(connection)
    // A test's tables are nearly empty, where a sequential scan is cheapest whatever the indexes:
    // discouraged, the plan shows the index a larger table would use, if any serves.
    await sql`set enable_seqscan = off`.execute(connection)
    try {
      const plans: string[] = []
      for (const [i, query] of captured.entries()) {
        const name = `emporium_generic_plan_${process.pid}_${i}`
        await sql.raw(`prepare ${name} as ${query.sql}`).execute(connection)
        try {
          // EXECUTE's arguments as literals: EXPLAIN takes no parameters of its own.
          const args =
            query.parameters.length > 0 ? `(${query.parameters.map(literal).join(', ')})` : ''
          const { rows } = await sql
            .raw<{ 'QUERY PLAN': string }>(`explain execute ${name}${args}`)
            .execute(connection)
          plans.push(rows.map((row) => row['QUERY PLAN']).join('\n'))
        } finally {
          await sql.raw(`deallocate ${name}`).execute(connection)
        }
      }
      return plans
    } finally {
      await sql`reset plan_cache_mode`.execute(connection)
      await sql`reset enable_seqscan`.execute(connection)
    }
  })
}

/** A parameter's value as an SQL literal of unknown type (PostgreSQL casts it to the parameter's). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'string'
        ? value
        : JSON.stringify(value)
  return `'${text.replaceAll("'", "''")}'`
}
