import { sql } from 'kysely'
import { startDistributedPlatform } from '../e2e/distributed.js'
const p = await startDistributedPlatform()
try {
  const names = Object.fromEntries(
    Object.entries(p.databases).map(([k, d]) => [k, new URL(d.url).pathname.slice(1)]),
  )
  await new Promise((r) => setTimeout(r, 3000))
  for (const [svc, db] of Object.entries(p.databases)) {
    if (svc === 'users') continue
    const r = await sql<{
      n: number
    }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = ${names[svc]} and pid <> pg_backend_pid()`.execute(
      db.database.db,
    )
    console.log('terminated', svc, r.rows[0])
  }
  await new Promise((r) => setTimeout(r, 5000))
  for (const s of Object.values(p.services)) {
    console.log(s.instance, 'running', s.running, 'unexpected', JSON.stringify(s.unexpectedExits))
    if (!s.running) console.log(s.output.slice(-6000))
  }
} finally {
  await p.stop()
}
