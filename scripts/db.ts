// `npm run db:migrate -- <service>` and `npm run db:status -- <service>`: a service's database
// brought up to date, or its migrations listed as applied or pending, with the platform's own
// helpers (the same `migrate` a service runs as it starts) and the service's `migrations/`
// folder. The database is `<ENV>_DATABASE_URL` of the service's declaration
// (packages/contracts/src/services.ts), from the shell, else `.env` or `.env.example` over
// what the declaration implies, as `npm run start:distributed` reads it.
import { existsSync, readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Type from 'typebox'
import { serviceDeclarations } from '@emporium/contracts'
import { ConfigError, loadConfig, migrate, migrationStatus, openDatabase } from '@emporium/platform'
import { distributedEnvironment } from './distributed-env.js'

const commands = ['migrate', 'status'] as const
type Command = (typeof commands)[number]

const usage = `usage: npm run db:migrate -- <service>   apply the service's pending migrations
       npm run db:status -- <service>    list its migrations, applied or pending
services with a database: ${serviceDeclarations.map((s) => s.name).join(', ')}`

/**
 * Runs `command` for `service` against the database `env` names; what it has to say goes to
 * `out`, and what went wrong to `err`. Returns the exit code: 0, 64 for a wrong command line
 * (an unknown service among them), 78 for a missing or bad database URL, 1 when a migration
 * fails.
 */
export async function runDb(
  args: readonly string[],
  env: Record<string, string | undefined>,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const [command, name, ...rest] = args
  if (!commands.includes(command as Command) || name === undefined || rest.length > 0) {
    err(usage)
    return 64 // EX_USAGE
  }
  const service = serviceDeclarations.find((s) => s.name === name)
  if (!service) {
    err(`db: no service named "${name}" has a database; ${usage.split('\n').at(-1)}`)
    return 64
  }
  const variable = `${service.env}_DATABASE_URL`
  let url: string
  try {
    const schema = Type.Object({ [variable]: Type.String({ minLength: 1 }) })
    url = loadConfig(schema, env)[variable] as string
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    err(error.message)
    return 78 // EX_CONFIG
  }
  const migrations = new URL(`../services/${service.name}/migrations/`, import.meta.url)
  const database = await openDatabase(url, { poolSize: 1 })
  try {
    if (command === 'migrate') {
      const { applied } = await migrate(database, { migrations })
      if (applied.length === 0) out(`${service.name}: up to date, nothing to apply`)
      for (const migration of applied) out(`${service.name}: applied ${migration}`)
    } else {
      const states = await migrationStatus(database, { migrations })
      for (const state of states) {
        const when = state.appliedAt ? `applied ${state.appliedAt.toISOString()}` : 'pending'
        out(`${state.name.padEnd(48)} ${when}`)
      }
      const pending = states.filter((s) => !s.appliedAt).length
      out(`${service.name}: ${states.length - pending} applied, ${pending} pending`)
    }
    return 0
  } catch (error) {
    err(`${service.name}: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  } finally {
    await database.close()
  }
}

/** The shell's variables over `.env` (or `.env.example`) and what the declarations imply. */
function environment(): Record<string, string | undefined> {
  const file = existsSync('.env') ? '.env' : '.env.example'
  return { ...distributedEnvironment(readFileSync(file, 'utf8')), ...process.env }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runDb(process.argv.slice(2), environment())
}
