// What a saga step's transaction costs with every statement on its own round trip — `begin`,
// the inbox claim, the lock, the update, the outbox row, `commit` (DATABASE_DEFER_BEGIN=false and
// the update run on the spot, as before) — against `begin` going with the first statement and the
// update and outbox row with the commit (the default, `deferWrite`): six round trips against
// three, side by side on one PostgreSQL. The step is a consumer's: claim the event in the inbox,
// lock the aggregate's row, update it, add an event to the outbox, commit — what a checkout runs
// about ten times per order.
//
//   npx tsx scripts/bench/transaction-trips.ts [--blocks 6] [--transactions 1000]
//
// Both ways run in this process, on one connection each, in alternating blocks, so a machine
// whose speed drifts (a shared one) moves both alike. It prints, per transaction, the wall time,
// this process's CPU and the PostgreSQL backend's CPU (from /proc), and the ratios.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { sql, type Transaction } from 'kysely'
import Type from 'typebox'
import { defineEvent } from '@emporium/contracts'
import {
  createInbox,
  createOutbox,
  deferWrite,
  migrate,
  openDatabase,
  type Database,
} from '@emporium/platform'
import { createTestDatabase } from '@emporium/platform/testing'

const { values: args } = parseArgs({
  options: {
    blocks: { type: 'string', default: '6' },
    transactions: { type: 'string', default: '1000' },
    // One way alone (to count its system calls under `strace -c -f`).
    only: { type: 'string' },
  },
})
const blocks = Number(args.blocks)
const perBlock = Number(args.transactions)

const StepDone = defineEvent(
  'bench.step-done',
  1,
  Type.Object({ id: Type.Integer(), n: Type.Integer() }),
)
const outbox = createOutbox({ source: 'bench' })
interface Tables {
  steps: { id: number; n: number }
}

const ticksPerSecond = 100 // Linux's USER_HZ

interface Way {
  name: string
  database: Database
  backendPid: number
  deferred: boolean
  wallMs: number
  nodeCpuMs: number
  backendCpuMs: number
  done: number
}

async function way(url: string, name: string, deferBegin: boolean): Promise<Way> {
  const database = await openDatabase(url, { poolSize: 1, deferBegin, name: 'bench-trips' })
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)
  return {
    name,
    database,
    backendPid: rows[0]!.pid,
    deferred: deferBegin,
    wallMs: 0,
    nodeCpuMs: 0,
    backendCpuMs: 0,
    done: 0,
  }
}

function backendCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
}

async function step(w: Way, id: number, n: number): Promise<void> {
  const inbox = createInbox<Tables>({ database: w.database as Database<Tables>, consumer: 'bench' })
  await inbox.handleOnce({ id: randomUUID() }, async (trx: Transaction<Tables>) => {
    await trx.selectFrom('steps').select('n').where('id', '=', id).forUpdate().executeTakeFirst()
    const update = trx.updateTable('steps').set({ n }).where('id', '=', id)
    // As the services' steps write their state: deferred (the default) or on the spot.
    if (w.deferred) await deferWrite(trx, update.compile())
    else await update.execute()
    await outbox.add(trx, StepDone, { id, n })
  })
}

async function block(w: Way): Promise<void> {
  const cpu = process.cpuUsage()
  const backend = backendCpuMs(w.backendPid)
  const started = performance.now()
  for (let i = 0; i < perBlock; i++) await step(w, (i % 100) + 1, i)
  w.wallMs += performance.now() - started
  const used = process.cpuUsage(cpu)
  w.nodeCpuMs += (used.user + used.system) / 1000
  w.backendCpuMs += backendCpuMs(w.backendPid) - backend
  w.done += perBlock
}

const test = await createTestDatabase('postgres')
try {
  await migrate(test.database)
  await sql`create table steps (id int primary key, n int not null)`.execute(test.database.db)
  await sql`insert into steps select g, 0 from generate_series(1, 100) g`.execute(test.database.db)
  const before = await way(test.url, 'six round trips: each statement on its own', false)
  const after = await way(
    test.url,
    'three: begin with the claim; update and outbox row with the commit',
    true,
  )
  // Warm both (plans, named statements), then alternate.
  for (const w of [before, after]) {
    for (let i = 0; i < 200; i++) await step(w, (i % 100) + 1, i)
  }
  for (let b = 0; b < blocks; b++) {
    for (const w of b % 2 ? [after, before] : [before, after]) {
      if (args.only === undefined || (args.only === 'after') === (w === after)) await block(w)
    }
  }
  if (args.only !== undefined) {
    const w = args.only === 'after' ? after : before
    console.log(`${w.name}: ${((w.wallMs * 1000) / w.done).toFixed(0)} µs/tx`)
    process.exit(0)
  }
  const per = (w: Way, ms: number) => (ms * 1000) / w.done
  console.log(`\n${blocks} blocks of ${perBlock} transactions each way, alternating\n`)
  console.log(
    '| way | wall µs/tx | node CPU µs/tx | PostgreSQL backend CPU µs/tx | CPU together µs/tx |',
  )
  console.log('|---|---|---|---|---|')
  for (const w of [before, after]) {
    const together = per(w, w.nodeCpuMs + w.backendCpuMs)
    console.log(
      `| ${w.name} | ${per(w, w.wallMs).toFixed(0)} | ${per(w, w.nodeCpuMs).toFixed(0)} | ${per(w, w.backendCpuMs).toFixed(0)} | ${together.toFixed(0)} |`,
    )
  }
  const ratio = (f: (w: Way) => number) => (f(after) / f(before)).toFixed(3)
  console.log(
    `| after / before | ${ratio((w) => w.wallMs)}× | ${ratio((w) => w.nodeCpuMs)}× | ${ratio((w) => w.backendCpuMs)}× | ${ratio((w) => w.nodeCpuMs + w.backendCpuMs)}× |`,
  )
  await before.database.close()
  await after.database.close()
} finally {
  await test.drop()
}
