import { runAdminCommand } from './admin-command.js'

// `npm run admin -- grant <email>` / `npm run admin -- revoke <email>` (see admin-command.ts).
process.exitCode = await runAdminCommand(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
})
